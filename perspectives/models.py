"""The report's content: processes, perspectives, questions, advice texts and public values.

Stable codes (process slug, perspective number 1-10, question code "4.2") identify content across
years, so that assessments from different years can be compared. Questions that have answers are
never deleted (the answer's foreign key PROTECTs them): an editor deactivates them instead.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
SUMMARY_MAX = 300
LONG_TEXT_MAX = 5000


class Characteristic(models.TextChoices):
    """Project characteristics that decide whether a question applies."""

    PUBLIC_SPACE = "public_space", _("Vindt plaats in de publieke ruimte / is een living lab")
    PERSONAL_DATA = "personal_data", _("Verwerkt persoonsgegevens")
    ALGORITHMS = "algorithms", _("Gebruikt algoritmes of AI")
    CITIZENS = "citizens", _("Betrekt burgers direct")
    PARTNERS = "partners", _("Werkt met externe partners")


class Band(models.TextChoices):
    ATTENTION = "aandacht", _("Aandacht nodig")
    DEVELOPING = "ontwikkeling", _("In ontwikkeling")
    IN_ORDER = "op_orde", _("Op orde")


class PublicValue(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    name = models.CharField(_("naam"), max_length=100)
    description = models.TextField(_("omschrijving"), max_length=1000, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("publieke waarde")
        verbose_name_plural = _("publieke waarden")

    def __str__(self) -> str:
        return self.name


class Process(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Vaste sleutel, bijvoorbeeld 'waarderen'. Niet wijzigen."))
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    summary = models.CharField(_("korte samenvatting"), max_length=SUMMARY_MAX)
    explanation = models.TextField(_("toelichting"), max_length=LONG_TEXT_MAX,
                                   help_text=_("Markdown: alinea's, lijsten, nadruk en links."))

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("innovatieproces")
        verbose_name_plural = _("innovatieprocessen")

    def __str__(self) -> str:
        return self.title


class Perspective(models.Model):
    number = models.PositiveSmallIntegerField(
        _("nummer"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Het nummer van de zichtlijn in het rapport (1-10). Niet wijzigen."),
    )
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="perspectives",
                                verbose_name=_("innovatieproces"))
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    summary = models.CharField(_("korte samenvatting"), max_length=SUMMARY_MAX)
    explanation = models.TextField(_("toelichting"), max_length=LONG_TEXT_MAX,
                                   help_text=_("Markdown: alinea's, lijsten, nadruk en links."))
    public_values = models.ManyToManyField(PublicValue, blank=True, related_name="perspectives",
                                           verbose_name=_("publieke waarden"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("perspectief")
        verbose_name_plural = _("perspectieven")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("perspectives:index") + f"#perspectief-{self.number}"


class Question(models.Model):
    perspective = models.ForeignKey(Perspective, on_delete=models.PROTECT,
                                    related_name="questions", verbose_name=_("perspectief"))
    code = models.CharField(_("code"), max_length=20, unique=True,
                            help_text=_("Vaste sleutel, bijvoorbeeld '4.2'. Niet wijzigen."))
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    text = models.CharField(_("vraag"), max_length=400)
    help_text = models.TextField(_("hulptekst"), max_length=1000,
                                 help_text=_("Wat een goed antwoord inhoudt."))
    scale_0 = models.CharField(_("score 0"), max_length=300)
    scale_1 = models.CharField(_("score 1"), max_length=300)
    scale_2 = models.CharField(_("score 2"), max_length=300)
    scale_3 = models.CharField(_("score 3"), max_length=300)
    scale_4 = models.CharField(_("score 4"), max_length=300)
    weight = models.PositiveSmallIntegerField(
        _("gewicht"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    applies_when = models.CharField(
        _("alleen van toepassing als"), max_length=20, blank=True, choices=Characteristic.choices,
        help_text=_("Leeg: de vraag geldt voor elk project."),
    )
    is_active = models.BooleanField(
        _("actief"), default=True,
        help_text=_("Vragen met antwoorden worden niet verwijderd maar gedeactiveerd."),
    )
    public_values = models.ManyToManyField(PublicValue, blank=True, related_name="questions",
                                           verbose_name=_("publieke waarden"))

    class Meta:
        ordering = ["perspective__number", "order", "code"]
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Advice(models.Model):
    perspective = models.ForeignKey(Perspective, on_delete=models.CASCADE, related_name="advice",
                                    verbose_name=_("perspectief"))
    band = models.CharField(_("scoreband"), max_length=20, choices=Band.choices)
    text = models.TextField(_("advies"), max_length=LONG_TEXT_MAX,
                            help_text=_("Markdown: alinea's, lijsten, nadruk en links."))

    class Meta:
        ordering = ["perspective__number", "band"]
        constraints = [
            models.UniqueConstraint(fields=["perspective", "band"], name="one_advice_per_band"),
        ]
        verbose_name = _("advies")
        verbose_name_plural = _("adviezen")

    def __str__(self) -> str:
        return f"{self.perspective.number} – {self.get_band_display()}"


class ContentRevision(models.Model):
    """A frozen copy of all content (every language), shared by the assessments scored on it.

    Completed assessments point here instead of carrying their own copy: content that did not
    change between two completions is stored once.
    """

    revision = models.CharField(_("versie"), max_length=20, unique=True)
    snapshot = models.JSONField(_("momentopname"))
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inhoudsversie")
        verbose_name_plural = _("inhoudsversies")

    def __str__(self) -> str:
        return self.revision
