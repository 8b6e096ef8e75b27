"""The report's content: processes, perspectives, questions, advice texts and public values.

Stable codes (process slug, perspective number 1-10, question code "4.2") identify content across
years, so that assessments from different years can be compared. Questions that have answers are
never deleted (the answer's foreign key PROTECTs them): an editor deactivates them instead.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .markdown import validate_markdown_cost

TITLE_MAX = 200
SUMMARY_MAX = 300
LONG_TEXT_MAX = 5000


class Characteristic(models.TextChoices):
    """What a project is and does; together with its phase they decide which questions apply.

    Each means one thing a project leader can answer with yes or no.
    """

    EXPERIMENT = "experiment", _("Experiment, pilot of living lab")
    PUBLIC_SPACE = "public_space", _("In de openbare ruimte")
    PERSONAL_DATA = "personal_data", _("Verwerkt persoonsgegevens")
    IMPACTFUL_ALGORITHM = "impactful_algorithm", _("Algoritme dat besluiten over mensen beïnvloedt")
    AI = "ai", _("Gebruikt AI")
    CITIZENS_PARTICIPATE = "citizens_participate", _("Inwoners denken of doen mee")
    CITIZENS_AFFECTED = "citizens_affected", _("Raakt inwoners direct")
    PARTNERS = "partners", _("Werkt met externe partners")
    PUBLIC_CHANNEL = "public_channel", _("Website, app of chatbot voor inwoners")


# Codes of the first questionnaire (before release 2026-11), still found in the frozen content and
# characteristics of assessments completed back then.
LEGACY_CHARACTERISTICS = {
    "algorithms": _("Gebruikt algoritmes of AI"),
    "citizens": _("Betrekt burgers direct"),
}

# Why a question does not apply, per missing characteristic ("geldt alleen voor …").
CHARACTERISTIC_REASONS = {
    Characteristic.EXPERIMENT: _("geldt alleen voor experimenten, pilots en living labs"),
    Characteristic.PUBLIC_SPACE: _("geldt alleen voor projecten in de openbare ruimte"),
    Characteristic.PERSONAL_DATA: _("geldt alleen voor projecten die persoonsgegevens verwerken"),
    Characteristic.IMPACTFUL_ALGORITHM: _(
        "geldt alleen voor projecten met een algoritme dat besluiten over mensen beïnvloedt"),
    Characteristic.AI: _("geldt alleen voor projecten die AI gebruiken"),
    Characteristic.CITIZENS_PARTICIPATE: _("geldt alleen als inwoners meedenken of meedoen"),
    Characteristic.CITIZENS_AFFECTED: _("geldt alleen als het project inwoners direct raakt"),
    Characteristic.PARTNERS: _("geldt alleen voor projecten met externe partners"),
    Characteristic.PUBLIC_CHANNEL: _(
        "geldt alleen voor projecten met een website, app of chatbot voor inwoners"),
    "algorithms": _("geldt alleen voor projecten die algoritmes of AI gebruiken"),
    "citizens": _("geldt alleen voor projecten die burgers direct betrekken"),
}


def characteristic_label(code: str) -> str:
    """The label of a characteristic, also for codes of the first questionnaire."""
    if code in Characteristic.values:
        return str(Characteristic(code).label)
    return str(LEGACY_CHARACTERISTICS.get(code, code))


class Phase(models.TextChoices):
    """Where a project is in its life; some questions cannot be answered in every phase."""

    IDEA = "idee", _("Idee")
    PILOT = "experiment", _("Experiment / pilot")
    IMPLEMENTATION = "implementatie", _("Implementatie")
    OPERATION = "beheer", pgettext_lazy("project phase", "Beheer")


class StepRole(models.TextChoices):
    """Who takes a next step."""

    PROJECT_LEAD = "projectleider", _("Projectleider")
    SPONSOR = "opdrachtgever", _("Ambtelijk opdrachtgever")
    DPO = "fg", _("Functionaris gegevensbescherming (FG)")
    CISO = "ciso", _("CISO")
    PROCUREMENT = "inkoop", _("Inkoop")
    INFORMATION_MANAGER = "informatiemanager", _("Informatiemanager / CIO")
    CLERK = "griffie", _("Griffie")
    EXECUTIVE = "college", _("College van B en W")


class BasisKind(models.TextChoices):
    LAW = "law", _("Wet")
    NORM = "norm", _("Normenkader, geen wet")


class ChoiceListField(models.JSONField):
    """A list of codes from a fixed set, edited as checkboxes; stored as JSON (SQLite and
    PostgreSQL alike)."""

    def __init__(self, *args, choice_list=(), **kwargs):
        self.choice_list = list(choice_list)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_list"] = self.choice_list
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {code for code, _label in self.choice_list}
        if not isinstance(value, list) or any(item not in allowed for item in value):
            raise ValidationError(_("Kies alleen uit de gegeven mogelijkheden."), code="invalid")

    def formfield(self, **kwargs):
        from waardevol.forms import DistinctMultipleChoiceField  # it imports models itself

        return DistinctMultipleChoiceField(
            choices=self.choice_list, required=not self.blank, widget=forms.CheckboxSelectMultiple,
            label=capfirst(self.verbose_name), help_text=self.help_text,
        )


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
                                   validators=[validate_markdown_cost],
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
                                   validators=[validate_markdown_cost],
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


class Instrument(models.Model):
    """A follow-up instrument the VNG maintains: a DPIA, the IAMA, the Algoritmeregister, …

    The results list an instrument when the project has its characteristics (all of them) and a
    question linked to it is answered weakly, or when no linked question applies yet.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Vaste sleutel, bijvoorbeeld 'dpia'. Niet wijzigen."))
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    name = models.CharField(_("naam"), max_length=TITLE_MAX)
    purpose = models.TextField(_("waarvoor"), max_length=1000,
                               help_text=_("Wat het instrument doet, in een of twee zinnen."))
    applies = models.TextField(_("wanneer"), max_length=1000,
                               help_text=_("Voor welke projecten het geldt en of het dan een "
                                           "wettelijke plicht is. Gebruikers lezen het op de "
                                           "resultatenpagina en in het rapport onder ‘Wanneer "
                                           "het geldt’."))
    legal_basis = models.CharField(
        _("wettelijke grondslag"), max_length=300, blank=True,
        help_text=_("Leeg als het instrument goede praktijk is en geen wettelijke plicht."))
    url = models.URLField(_("officiële pagina"), max_length=300, blank=True,
                          help_text=_("Op de website een link, in de PDF het adres als tekst."))
    applies_when = ChoiceListField(
        _("alleen voor projecten met"), choice_list=Characteristic.choices,
        help_text=_("Alle aangevinkte kenmerken moeten gelden. Leeg: alleen via gekoppelde "
                    "vragen die zwak zijn beantwoord."),
    )
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("vervolginstrument")
        verbose_name_plural = _("vervolginstrumenten")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    perspective = models.ForeignKey(Perspective, on_delete=models.PROTECT,
                                    related_name="questions", verbose_name=_("perspectief"))
    code = models.CharField(_("code"), max_length=20, unique=True,
                            help_text=_("Vaste sleutel en vraagnummer, bijvoorbeeld '4.2'. "
                                        "Niet wijzigen."))
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    text = models.CharField(_("vraag"), max_length=400)
    short_name = models.CharField(
        _("korte naam"), max_length=100, blank=True,
        help_text=_("Een paar woorden die de vraag noemen in samenvattingen, zoals ‘DPIA vóór "
                    "de verwerking’."))
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
    applies_when = ChoiceListField(
        _("alleen van toepassing als"), choice_list=Characteristic.choices,
        help_text=_("Alle aangevinkte kenmerken moeten gelden. Leeg: de vraag geldt voor elk "
                    "project."),
    )
    phases = ChoiceListField(
        _("fasen"), choice_list=Phase.choices,
        help_text=_("De fasen waarin de vraag geldt, als een niveau in andere fasen niet te "
                    "halen is. Leeg: elke fase."),
    )
    is_active = models.BooleanField(
        _("actief"), default=True,
        help_text=_("Vragen met antwoorden worden niet verwijderd maar gedeactiveerd."),
    )
    public_values = models.ManyToManyField(PublicValue, blank=True, related_name="questions",
                                           verbose_name=_("publieke waarden"))
    report_basis = models.TextField(
        _("basis in het rapport"), max_length=1000, blank=True,
        help_text=_("Uit welke zichtlijn van het rapport de vraag komt, met een kort citaat."))
    minimum_level = models.PositiveSmallIntegerField(
        _("minimumeis: ten minste niveau"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Alleen voor wettelijke of normatieve minimumeisen. Een lager antwoord of "
                    "‘weet ik niet’ begrenst het perspectief op ‘aandacht nodig’."),
    )
    legal_basis = models.CharField(_("grondslag van de minimumeis"), max_length=300, blank=True,
                                   help_text=_("Bijvoorbeeld ‘Art. 35 AVG’."))
    basis_kind = models.CharField(_("soort grondslag"), max_length=10, blank=True,
                                  choices=BasisKind.choices)
    minimum_action = models.TextField(
        _("wat te doen als de minimumeis niet is gehaald"), max_length=500, blank=True)
    next_step_0 = models.TextField(_("volgende stap bij niveau 0"), max_length=500, blank=True,
                                   help_text=_("Ook getoond bij ‘weet ik niet’."))
    next_step_0_role = models.CharField(_("wie zet die stap"), max_length=20, blank=True,
                                        choices=StepRole.choices)
    next_step_1 = models.TextField(_("volgende stap bij niveau 1"), max_length=500, blank=True)
    next_step_1_role = models.CharField(_("wie zet die stap"), max_length=20, blank=True,
                                        choices=StepRole.choices)
    instruments = models.ManyToManyField(Instrument, blank=True, related_name="questions",
                                         verbose_name=_("vervolginstrumenten"))

    class Meta:
        ordering = ["perspective__number", "order", "code"]
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def is_minimum(self) -> bool:
        return self.minimum_level is not None

    def clean(self):
        # Texts are checked in the default language (nl), the one every text must have.
        default = settings.LANGUAGE_CODE
        errors = {}
        if self.minimum_level is not None:
            for field in (f"legal_basis_{default}", "basis_kind", f"minimum_action_{default}"):
                if not (getattr(self, field) or "").strip():
                    errors[field] = _("Verplicht bij een minimumeis.")
        for level in (0, 1):
            text = (getattr(self, f"next_step_{level}_{default}") or "").strip()
            role = getattr(self, f"next_step_{level}_role")
            if text and not role:
                errors[f"next_step_{level}_role"] = _("Kies wie deze stap zet.")
            if role and not text:
                errors[f"next_step_{level}_{default}"] = _("Beschrijf de stap of kies geen rol.")
        if errors:
            raise ValidationError(errors)


class Advice(models.Model):
    perspective = models.ForeignKey(Perspective, on_delete=models.CASCADE, related_name="advice",
                                    verbose_name=_("perspectief"))
    band = models.CharField(_("scoreband"), max_length=20, choices=Band.choices)
    text = models.TextField(_("advies"), max_length=LONG_TEXT_MAX,
                            validators=[validate_markdown_cost],
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


PUBLICATION_NOTE_MAX = 200


class ContentRevision(models.Model):
    """A frozen copy of all content (every language), shared by the assessments scored on it.

    The content models are the editors' draft; publishing freezes the draft into a numbered
    revision (`number`, `published_at`), and users only ever see the latest published one.
    Completed assessments point to the revision they were scored on. Revisions without a number
    were frozen at completion before content was published (kept for those assessments).
    """

    revision = models.CharField(_("versie"), max_length=20, unique=True)
    snapshot = models.JSONField(_("momentopname"))
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    number = models.PositiveIntegerField(_("publicatienummer"), null=True, blank=True,
                                         unique=True)
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("gepubliceerd door"))
    note = models.CharField(_("wat is er veranderd"), max_length=PUBLICATION_NOTE_MAX, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inhoudsversie")
        verbose_name_plural = _("inhoudsversies")

    def __str__(self) -> str:
        if self.number is not None:
            return str(_("Publicatie %(number)s") % {"number": self.number})
        return self.revision


class Publication(ContentRevision):
    """The published revisions, as editors see them in the admin."""

    class Meta:
        proxy = True
        ordering = ["-number"]
        verbose_name = _("publicatie")
        verbose_name_plural = _("publicaties")
        permissions = [("publish_content", _("Mag de inhoud publiceren"))]


class ContentRelease(models.Model):
    """A release of the questionnaire that `load_content` loaded (for example '2026-11').

    Loading a new release retires the questions of the previous one instead of rewriting them, so
    an answer always stays attached to the question it answered.
    """

    code = models.CharField(_("release"), max_length=20, unique=True)
    loaded_at = models.DateTimeField(_("geladen op"), auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        verbose_name = _("release van de vragenlijst")
        verbose_name_plural = _("releases van de vragenlijst")

    def __str__(self) -> str:
        return self.code
