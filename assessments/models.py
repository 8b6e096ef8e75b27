"""Municipalities, their members, projects, assessments, answers and improvement actions."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perspectives.models import Band, Characteristic, ContentRevision, Perspective, Phase, Question

NAME_MAX = 200
DESCRIPTION_MAX = 2000
NOTE_MAX = 2000
REASON_MAX = 300
ACTION_MAX = 500
OWNER_MAX = 100
# An action plan an alderman can read; also bounds the cost of a report (300 actions took 14 s).
ACTIONS_PER_ASSESSMENT = 50


class Municipality(models.Model):
    name = models.CharField(_("naam"), max_length=100)
    cbs_code = models.CharField(
        _("CBS-code"), max_length=6, unique=True,
        validators=[RegexValidator(r"^GM\d{4}$", _("Gebruik de vorm GM0363."))],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    EDITOR = "bewerker", _("Bewerker")
    READER = "lezer", _("Lezer")


class Membership(models.Model):
    """A user belongs to exactly one municipality, with one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="membership", verbose_name=_("gebruiker"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT,
                                     related_name="memberships", verbose_name=_("gemeente"))
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    is_manager = models.BooleanField(
        _("beheerder"), default=False,
        help_text=_("Mag collega's van dezelfde gemeente uitnodigen."),
    )

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality} ({self.get_role_display()})"

    def clean(self):
        if self.is_manager and self.role != Role.EDITOR:
            raise ValidationError({"is_manager": _("Alleen een bewerker kan beheerder zijn.")})

    @property
    def can_edit(self) -> bool:
        return self.role == Role.EDITOR

    @property
    def can_invite(self) -> bool:
        return self.role == Role.EDITOR and self.is_manager


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> "InvitationQuerySet":
        """Not accepted yet and not expired: the invitations whose link still works."""
        return self.filter(accepted_at__isnull=True, created_at__gte=timezone.now()
                           - timedelta(days=settings.INVITATION_DAYS))


class Invitation(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE,
                                     related_name="invitations")
    email = models.EmailField(_("e-mailadres"), max_length=254)
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")

    def __str__(self) -> str:
        return f"{self.email} ({self.municipality})"

    @property
    def valid_until(self) -> datetime:
        """When the link stops working (as `usable()` decides)."""
        return self.created_at + timedelta(days=settings.INVITATION_DAYS)


class Project(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT,
                                     related_name="projects", verbose_name=_("gemeente"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="projects", verbose_name=_("eigenaar"))
    name = models.CharField(_("naam"), max_length=NAME_MAX)
    description = models.TextField(_("omschrijving"), max_length=DESCRIPTION_MAX, blank=True)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, default=Phase.IDEA)
    # The characteristics: together with the phase they decide which questions apply.
    is_experiment = models.BooleanField(
        _("experiment, pilot of living lab"), default=False,
        help_text=_("Tijdelijk opgezet om te leren, met een besluit over het vervolg. Geldt altijd "
                    "in de fase ‘Experiment / pilot’."))
    in_public_space = models.BooleanField(
        _("in de openbare ruimte"), default=False,
        help_text=_("Sensoren, camera’s of andere apparatuur op straat, in parken of in gebouwen "
                    "met publiek: mensen komen er zonder te kiezen mee in aanraking."))
    processes_personal_data = models.BooleanField(
        _("verwerkt persoonsgegevens"), default=False,
        help_text=_("Ook gegevens die indirect naar iemand te herleiden zijn, zoals camerabeelden, "
                    "kentekens, locatiegegevens of wifi- en bluetoothsignalen."))
    uses_impactful_algorithm = models.BooleanField(
        _("gebruikt een algoritme dat besluiten over mensen beïnvloedt"), default=False,
        help_text=_("Het algoritme heeft rechtsgevolgen voor inwoners of beïnvloedt hoe de "
                    "gemeente hen behandelt (een ‘impactvol’ algoritme in de zin van het "
                    "Algoritmeregister). Een rekenregel zonder gevolgen voor mensen telt niet."))
    uses_ai = models.BooleanField(
        _("gebruikt AI"), default=False,
        help_text=_("Een AI-systeem in de zin van de AI-verordening, zoals machine learning, "
                    "beeld- of spraakherkenning of een chatbot die zelf tekst maakt."))
    citizens_participate = models.BooleanField(
        _("inwoners denken of doen mee"), default=False,
        help_text=_("Inwoners worden betrokken bij ontwerp, keuzes of evaluatie (participatie)."))
    citizens_affected = models.BooleanField(
        _("raakt inwoners direct"), default=False,
        help_text=_("Inwoners gebruiken het, worden erdoor waargenomen of gemeten, of er worden "
                    "besluiten over hen genomen."))
    involves_partners = models.BooleanField(
        _("werkt met externe partners"), default=False,
        help_text=_("Leveranciers, kennisinstellingen of bedrijven leveren, bouwen of beheren een "
                    "deel van het project."))
    has_public_channel = models.BooleanField(
        _("heeft een website, app of chatbot voor inwoners"), default=False,
        help_text=_("Dan gelden de eisen voor digitale toegankelijkheid."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    CHARACTERISTIC_FIELDS = {
        Characteristic.EXPERIMENT: "is_experiment",
        Characteristic.PUBLIC_SPACE: "in_public_space",
        Characteristic.PERSONAL_DATA: "processes_personal_data",
        Characteristic.IMPACTFUL_ALGORITHM: "uses_impactful_algorithm",
        Characteristic.AI: "uses_ai",
        Characteristic.CITIZENS_PARTICIPATE: "citizens_participate",
        Characteristic.CITIZENS_AFFECTED: "citizens_affected",
        Characteristic.PARTNERS: "involves_partners",
        Characteristic.PUBLIC_CHANNEL: "has_public_channel",
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projecten")
        # The overview pages through a municipality's projects by name (10,000 in one).
        indexes = [models.Index(fields=["municipality", "name"], name="project_municipality_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def characteristics(self) -> list[str]:
        """The codes of the characteristics that hold; a project in its pilot phase is always an
        experiment, whether or not the box was ticked."""
        return [
            str(code) for code, field in self.CHARACTERISTIC_FIELDS.items()
            if getattr(self, field) or (code == Characteristic.EXPERIMENT and self.phase == Phase.PILOT)
        ]


class Status(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    COMPLETED = "afgerond", _("Afgerond")
    # A second concept of the same project from before a project could have only one (migration
    # 0006): kept with its answers, read-only.
    SUPERSEDED = "vervangen", _("Vervangen concept")


class Assessment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments",
                                verbose_name=_("project"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.CONCEPT)
    language = models.CharField(_("taal"), max_length=5, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("gestart door"))
    started_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("afgerond door"))
    completed_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)
    reopened_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("heropend vanuit"))
    current_step = models.PositiveSmallIntegerField(_("huidige stap"), default=0)
    # Frozen at completion: the content (all languages) and the project characteristics it was
    # scored against, and the result, so later content edits never change it.
    content = models.ForeignKey(ContentRevision, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="assessments", verbose_name=_("inhoudsversie"))
    characteristics = models.JSONField(_("kenmerken bij afronden"), default=list, blank=True)
    overall_score = models.PositiveSmallIntegerField(
        _("totaalscore"), null=True, blank=True, validators=[MaxValueValidator(100)])
    # Everything the result consists of (scoring.Evaluation.to_json()): per question whether it
    # applied and its answer, per perspective and process the score, band and cap, the overall
    # score, the next steps and the instruments. Pages and reports of a completed assessment read
    # this; only concepts are scored live.
    result = models.JSONField(_("vastgelegd resultaat"), null=True, blank=True, editable=False)
    # Copied from `result` at completion (with `PerspectiveResult`), so the portfolio can filter
    # and count in the database: JSON lookups differ between SQLite and PostgreSQL and cannot use
    # an index.
    unmet_minimum_count = models.PositiveSmallIntegerField(
        _("niet gehaalde minimumeisen"), default=0, editable=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("beoordeling")
        verbose_name_plural = _("beoordelingen")
        indexes = [
            models.Index(fields=["project", "-started_at"]),
            # The overview's "latest completed assessment" of each project.
            models.Index(fields=["project", "status", "-completed_at"],
                         name="assessment_latest_completed"),
        ]
        constraints = [
            # Colleagues (and double clicks) continue one concept instead of starting several.
            models.UniqueConstraint(fields=["project"], condition=models.Q(status="concept"),
                                    name="one_concept_per_project"),
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.started_at:%Y-%m-%d}"

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def is_concept(self) -> bool:
        """Only a concept can still be answered; completed and superseded ones are read-only."""
        return self.status == Status.CONCEPT

    @property
    def content_revision(self) -> str:
        return self.content.revision if self.content_id else ""


class PerspectiveResult(models.Model):
    """One perspective's score and band of a completed assessment, copied from its frozen result
    at completion: the portfolio's heat map, band distribution and weakest perspectives count
    these rows in the database instead of reading every result."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="perspective_results")
    number = models.PositiveSmallIntegerField(_("perspectief"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True,
                                             validators=[MaxValueValidator(100)])
    band = models.CharField(_("beoordeling"), max_length=20, choices=Band.choices, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "number"],
                                               name="one_result_per_perspective")]
        verbose_name = _("perspectiefresultaat")
        verbose_name_plural = _("perspectiefresultaten")

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.number}: {self.score}"


class AnswerKind(models.TextChoices):
    SCORE = "score", _("Score")
    UNKNOWN = "unknown", _("Weet ik niet")
    NOT_APPLICABLE = "na", _("Niet van toepassing")


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    # PROTECT: a question that has answers can be deactivated, never deleted.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    kind = models.CharField(_("soort antwoord"), max_length=10, choices=AnswerKind.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True,
                                             validators=[MaxValueValidator(4)])
    na_reason = models.CharField(_("reden niet van toepassing"), max_length=REASON_MAX,
                                 blank=True)
    note = models.TextField(_("toelichting of bewijs"), max_length=NOTE_MAX, blank=True)
    # Copied from a published example as a starting point: the questionnaire marks it
    # "overgenomen uit voorbeeld" until the user confirms it or saves another answer.
    adopted_from_example = models.BooleanField(_("overgenomen uit voorbeeld"), default=False)
    # Optimistic concurrency: a save names the version it was based on.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="one_answer_per_question"),
            models.CheckConstraint(
                condition=(models.Q(kind="score", score__isnull=False, score__lte=4)
                           | (~models.Q(kind="score") & models.Q(score__isnull=True))),
                name="score_only_for_scored_answers",
            ),
        ]
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question_id}: {self.kind} {self.score}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "bezig", _("Bezig")
    DONE = "gereed", _("Gereed")


class Action(models.Model):
    """An improvement action (verbeteractie) for one perspective of an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    perspective = models.ForeignKey(Perspective, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("perspectief"))
    description = models.CharField(_("actie"), max_length=ACTION_MAX)
    owner = models.CharField(_("eigenaar"), max_length=OWNER_MAX)
    due_date = models.DateField(_("uiterste datum"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the report cache key: an edited action makes a new report.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["perspective__number", "due_date", "pk"]
        verbose_name = _("verbeteractie")
        verbose_name_plural = _("verbeteracties")

    def __str__(self) -> str:
        return self.description


# A rating round is a workshop, not a survey: beyond this many raters nobody discusses the spread.
RATERS_MAX = 20


class RatingRound(models.Model):
    """Colleagues score a concept independently (a DEDA session, an IAMA workshop); the group then
    chooses the assessment's answer per question in the discussion. One open round per
    assessment at a time."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="rating_rounds", verbose_name=_("beoordeling"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("gestart door"))
    started_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("beoordelingsronde")
        verbose_name_plural = _("beoordelingsrondes")
        constraints = [
            models.UniqueConstraint(fields=["assessment"],
                                    condition=models.Q(closed_at__isnull=True),
                                    name="one_open_round_per_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Rater(models.Model):
    """A colleague asked to rate in a round; once submitted, their ratings are final."""

    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="raters",
                              verbose_name=_("beoordelingsronde"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("beoordelaar"))
    submitted_at = models.DateTimeField(_("ingediend op"), null=True, blank=True)

    class Meta:
        verbose_name = _("beoordelaar")
        verbose_name_plural = _("beoordelaars")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="one_rater_per_user")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.user_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Rating(models.Model):
    """One rater's own answer to one question: the same values (and rules) as an Answer."""

    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="ratings")
    # PROTECT: as for answers, a question with ratings can be deactivated, never deleted.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("soort antwoord"), max_length=10, choices=AnswerKind.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True,
                                             validators=[MaxValueValidator(4)])
    na_reason = models.CharField(_("reden niet van toepassing"), max_length=REASON_MAX,
                                 blank=True)
    note = models.TextField(_("toelichting of bewijs"), max_length=NOTE_MAX, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score van een beoordelaar")
        verbose_name_plural = _("scores van beoordelaars")
        constraints = [
            models.UniqueConstraint(fields=["rater", "question"], name="one_rating_per_question"),
            models.CheckConstraint(
                condition=(models.Q(kind="score", score__isnull=False, score__lte=4)
                           | (~models.Q(kind="score") & models.Q(score__isnull=True))),
                name="rating_score_only_for_scored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater_id}/{self.question_id}: {self.kind} {self.score}"
