"""Forms validate and convert; the services write."""

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from perspectives.models import Band, Characteristic, Perspective, Phase
from waardevol.forms import IdMultipleChoiceField, QueryFilterForm, SharedObjectForm
from waardevol.text import CleanCharField

from .labels import moment_label, person_label, perspective_titles, shared_dates
from .models import (
    OWNER_MAX,
    RATERS_MAX,
    REASON_MAX,
    Action,
    ActionStatus,
    AnswerKind,
    Project,
)
from .readmodel import PerspectiveView, QuestionView
from .selectors import (
    OPEN_ACTIONS,
    SORT_COLUMNS,
    ActionFilters,
    OverviewFilters,
    ProjectStatus,
)
from .services import AnswerValues, answer_fingerprint

CHARACTERISTIC_FIELDS = list(Project.CHARACTERISTIC_FIELDS.values())
PHASE_HELP = _("Vragen waarvan een niveau in deze fase nog niet te halen is, gelden pas later.")


def characteristics_fieldset() -> Fieldset:
    """The characteristics under one heading that says what they are for."""
    return Fieldset(
        _("Wat voor project is het?"),
        HTML(format_html('<p class="utrecht-paragraph wv-fieldset-intro">{}</p>', _(
            "Deze kenmerken bepalen welke vragen van toepassing zijn. Vink aan wat geldt; een "
            "vraag die niet past, telt niet mee en u ziet waarom. U kunt dit later aanpassen: "
            "antwoorden gaan nooit verloren."))),
        *CHARACTERISTIC_FIELDS,
        css_class="wv-characteristics",
    )


class ProjectForm(SharedObjectForm):
    class Meta(SharedObjectForm.Meta):
        model = Project
        fields = ["name", "description", "phase", *CHARACTERISTIC_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "phase": forms.RadioSelect}
        help_texts = {
            "name": _("Bijvoorbeeld ‘Slimme lantaarnpalen Centrum’ of ‘Chatbot Burgerzaken’."),
            "description": _("Wat doet het project, voor wie, en met welke technologie?"),
            "phase": PHASE_HELP,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(*self.resolve_fields(), "name", "description", "phase",
                                    characteristics_fieldset())


class CharacteristicsForm(SharedObjectForm):
    """The wizard's introduction: the phase and characteristics that decide which questions
    apply."""

    class Meta(SharedObjectForm.Meta):
        model = Project
        fields = ["phase", *CHARACTERISTIC_FIELDS]
        widgets = {"phase": forms.RadioSelect}
        help_texts = {"phase": PHASE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(*self.resolve_fields(), "phase", characteristics_fieldset())


class ResolveChoice:
    MINE = "mine"
    THEIRS = "theirs"


@dataclass
class QuestionBlock:
    """One applicable question of a step as the page lays it out: the 0–4 scale, then the other
    answers ("weet ik niet", "niet van toepassing") apart from it, the reason, the note."""

    question: QuestionView
    answer: forms.BoundField
    scale_choices: list  # the answer's radio options for the levels 0–4
    other_choices: list  # "weet ik niet" and, where allowed, "niet van toepassing"
    reason: forms.BoundField
    reason_needed: bool  # n.v.t. is chosen, or the reason holds text or an error
    note: forms.BoundField
    hidden: list[forms.BoundField]
    resolve: forms.BoundField | None


class PerspectiveStepForm(forms.Form):
    """One wizard step: per applicable question an answer, a reason for n.v.t. and a note.

    Hidden per question: the answer version the page was based on and a fingerprint of the
    answer as shown, so saving can tell an untouched answer from a changed one and detect that a
    colleague changed it in the meantime.
    """

    def __init__(self, *args, perspective: PerspectiveView,
                 conflicts: dict[int, object] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.perspective = perspective
        self.conflicts = conflicts or {}
        for question in self.questions:
            self._add_question_fields(question)

    @property
    def listed_questions(self) -> list[QuestionView]:
        """Every question the form lays out, applicable or not."""
        return self.perspective.questions

    @property
    def questions(self) -> list[QuestionView]:
        return [q for q in self.listed_questions if q.applicable]

    def _add_question_fields(self, question: QuestionView) -> None:
        prefix = f"q{question.id}"
        answer = question.answer
        choices = [(str(level), f"{level} – {label}") for level, label in enumerate(question.scale)]
        choices += [(AnswerKind.UNKNOWN, _("Weet ik niet"))]
        help_text = question.help_text
        if question.minimum_level is None:
            choices += [(AnswerKind.NOT_APPLICABLE, _("Niet van toepassing"))]
        else:
            # Whether a minimum requirement applies follows from the project's characteristics.
            help_text = format_html("{} <strong>{}</strong>", help_text, _(
                "Dit is een minimumeis: ‘niet van toepassing’ kan hier niet. Past de vraag niet, "
                "kijk dan of de kenmerken van het project kloppen."))
        self.fields[f"{prefix}-answer"] = forms.ChoiceField(
            label=question.text, help_text=help_text, choices=choices,
            widget=forms.RadioSelect, required=False,
        )
        self.fields[f"{prefix}-reason"] = CleanCharField(
            label=_("Waarom is vraag %(code)s niet van toepassing?") % {"code": question.code},
            max_length=REASON_MAX,
            required=False, help_text=_("Verplicht bij ‘niet van toepassing’."),
        )
        self.fields[f"{prefix}-note"] = CleanCharField(
            label=_("Toelichting of bewijs bij vraag %(code)s (optioneel)") % {
                "code": question.code},
            max_length=2000, required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields[f"{prefix}-version"] = forms.IntegerField(
            # A rater's own score has no version: only its rater writes it.
            widget=forms.HiddenInput, min_value=0, initial=getattr(answer, "version", 0),
        )
        self.fields[f"{prefix}-original"] = forms.CharField(
            widget=forms.HiddenInput, max_length=16,
            initial=answer_fingerprint(AnswerValues.of(answer)), required=False,
        )
        if answer is not None:
            value = str(answer.score) if answer.kind == AnswerKind.SCORE else answer.kind
            self.initial.setdefault(f"{prefix}-answer", value)
            self.initial.setdefault(f"{prefix}-reason", answer.na_reason)
            self.initial.setdefault(f"{prefix}-note", answer.note)
        if question.id in self.conflicts:
            self.fields[f"{prefix}-resolve"] = forms.ChoiceField(
                label=_("Welk antwoord wilt u bewaren?"),
                choices=[(ResolveChoice.MINE, _("Mijn antwoord")),
                         (ResolveChoice.THEIRS, _("Het antwoord van mijn collega"))],
                widget=forms.RadioSelect, required=True,
            )

    def blocks(self) -> list[QuestionBlock | QuestionView]:
        """Every question of the step in order: a block to answer, or (not applicable) the
        question itself, which the page shows with the reason it does not apply."""
        blocks = []
        for question in self.listed_questions:
            if not question.applicable:
                blocks.append(question)
                continue
            prefix = f"q{question.id}"
            answer = self[f"{prefix}-answer"]
            options = list(answer)
            reason = self[f"{prefix}-reason"]
            blocks.append(QuestionBlock(
                question=question, answer=answer,
                scale_choices=[o for o in options if o.data["value"].isdigit()],
                other_choices=[o for o in options if not o.data["value"].isdigit()],
                reason=reason,
                reason_needed=(answer.value() == AnswerKind.NOT_APPLICABLE
                               or bool(reason.value()) or bool(reason.errors)),
                note=self[f"{prefix}-note"],
                hidden=[self[f"{prefix}-version"], self[f"{prefix}-original"]],
                resolve=self[f"{prefix}-resolve"] if f"{prefix}-resolve" in self.fields else None,
            ))
        return blocks

    def error_label(self, name: str) -> str:
        """The error summary names the question an error is about, not the field."""
        question_id = name[1:].split("-", 1)[0]
        for question in self.questions:
            if str(question.id) == question_id:
                return _("Vraag %(code)s") % {"code": question.code}
        return ""

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            prefix = f"q{question.id}"
            if (cleaned.get(f"{prefix}-answer") == AnswerKind.NOT_APPLICABLE
                    and not (cleaned.get(f"{prefix}-reason") or "").strip()):
                self.add_error(f"{prefix}-reason",
                               _("Geef een korte reden waarom deze vraag niet van toepassing is."))
        return cleaned

    def submitted(self, question: QuestionView) -> AnswerValues | None:
        prefix = f"q{question.id}"
        choice = self.cleaned_data.get(f"{prefix}-answer")
        if not choice:
            return None
        is_score = choice.isdigit()
        return AnswerValues(
            kind=AnswerKind.SCORE if is_score else choice,
            score=int(choice) if is_score else None,
            na_reason=self.cleaned_data.get(f"{prefix}-reason", ""),
            note=self.cleaned_data.get(f"{prefix}-note", ""),
        ).normalised()

    def changed_by_user(self, question: QuestionView) -> bool:
        prefix = f"q{question.id}"
        return answer_fingerprint(self.submitted(question)) != self.cleaned_data.get(
            f"{prefix}-original"
        )

    def base_version(self, question: QuestionView) -> int:
        return self.cleaned_data.get(f"q{question.id}-version") or 0

    def resolution(self, question: QuestionView) -> str | None:
        return self.cleaned_data.get(f"q{question.id}-resolve")


class ChosenAnswerForm(PerspectiveStepForm):
    """The group's answer to one question in a rating round's discussion: the questionnaire's
    fields and rules for that one question, an answer required. `suggested` (a field value) is
    offered when the assessment has no answer yet, e.g. what every rater gave."""

    def __init__(self, *args, question: QuestionView, suggested: str | None = None, **kwargs):
        self.question = question
        super().__init__(*args, perspective=None, **kwargs)
        answer = self.fields[f"q{question.id}-answer"]
        answer.required = True
        answer.error_messages["required"] = _("Kies het antwoord van de groep.")
        if suggested and question.answer is None:
            self.initial.setdefault(f"q{question.id}-answer", suggested)

    @property
    def listed_questions(self) -> list[QuestionView]:
        return [self.question]

    def block(self) -> QuestionBlock:
        return self.blocks()[0]


class RaterChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        # person_label may end in a function in brackets: "Lex Lezer (wethouder) – lezer".
        return f"{person_label(obj)} – {obj.membership.get_role_display().lower()}"


class RatingRoundForm(forms.Form):
    """Who scores a concept independently: members of the municipality, bewerkers or lezers."""

    raters = RaterChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple,
        label=_("Wie scoren er mee?"),
        help_text=_("Kies ten minste twee mensen, uzelf meegerekend als u meedoet. Ook een lezer "
                    "kan scoren; het antwoord van de beoordeling kiest u daarna samen."),
        error_messages={"required": _("Kies ten minste twee beoordelaars."),
                        "invalid_choice": _("Kies collega's uit de lijst."),
                        "invalid_pk_value": _("Kies collega's uit de lijst.")})

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raters"].queryset = (
            get_user_model().objects.filter(membership__municipality=municipality, is_active=True)
            .select_related("membership").order_by("first_name", "last_name", "username"))

    def clean_raters(self):
        raters = list(self.cleaned_data["raters"])
        if len(raters) < 2:
            raise forms.ValidationError(_("Kies ten minste twee beoordelaars."))
        if len(raters) > RATERS_MAX:
            raise forms.ValidationError(_("Kies ten hoogste %(max)s beoordelaars.") % {
                "max": RATERS_MAX})
        return raters


class ActionForm(SharedObjectForm):
    class Meta(SharedObjectForm.Meta):
        model = Action
        fields = ["perspective", "description", "owner", "due_date", "status"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "status": forms.RadioSelect}
        help_texts = {"owner": _("Wie is verantwoordelijk? Naam of functie.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perspective"].queryset = Perspective.objects.order_by("number")
        self.fields["perspective"].empty_label = None


class AssessmentChoiceField(forms.ModelChoiceField):
    """A completed assessment by its date and score; with the time on a day with two. Short
    enough for a select on a phone (390 px): "24 november 2026 08:19 – score 39"."""

    shared_dates: set[str] = frozenset()

    def label_from_instance(self, obj):
        moment = moment_label(obj.completed_at, self.shared_dates)
        score = obj.overall_score if obj.overall_score is not None else "–"
        return _("%(date)s – score %(score)s") % {"date": moment, "score": score}


class ComparisonForm(forms.Form):
    """Two completed assessments of one project (a GET form). Without a choice it compares the
    latest two, which is what a user most often wants to see."""

    van = AssessmentChoiceField(
        queryset=None, label=_("Vergelijk de beoordeling"), empty_label=None,
        error_messages={"required": _("Kies de eerste beoordeling."),
                        "invalid_choice": _("Kies een afgeronde beoordeling van dit project.")})
    met = AssessmentChoiceField(
        queryset=None, label=_("met de beoordeling"), empty_label=None,
        error_messages={"required": _("Kies de tweede beoordeling."),
                        "invalid_choice": _("Kies een afgeronde beoordeling van dit project.")})

    def __init__(self, data, *, assessments):
        choices = list(assessments[:2])
        # With fewer than two there is nothing to choose: the page says so, whatever was asked.
        self.enough = len(choices) == 2
        if not self.enough:
            data = None
        elif not (data and {"van", "met"} & set(data)):
            data = {"van": choices[1].pk, "met": choices[0].pk}
        super().__init__(data)
        same_day = (shared_dates(assessments.values_list("completed_at", flat=True))
                    if self.enough else set())
        for name in ("van", "met"):
            self.fields[name].queryset = assessments
            self.fields[name].shared_dates = same_day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("van") and cleaned.get("van") == cleaned.get("met"):
            raise forms.ValidationError(_("Kies twee verschillende beoordelingen."),
                                        code="same")
        return cleaned


QUERY_MAX = 100


def _choices(empty_label, choices) -> list[tuple[str, str]]:
    return [("", empty_label), *choices]


class OverviewFilterForm(QueryFilterForm):
    """The overview's filters, search and sort, from the query string. A value no link or form of
    ours sends is an error the page names; the other filters still apply."""

    q = CleanCharField(label=_("Zoek op naam"), required=False, max_length=QUERY_MAX)
    fase = forms.ChoiceField(label=_("Fase"), required=False)
    kenmerk = forms.ChoiceField(label=_("Kenmerk"), required=False)
    beoordeling = forms.ChoiceField(label=_("Beoordeling (laatste afgeronde)"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    minimumeisen = forms.ChoiceField(label=_("Minimumeisen"), required=False, choices=[
        ("", _("Alle projecten")), ("niet-gehaald", _("Minimumeis niet gehaald")),
        ("gehaald", _("Alle minimumeisen gehaald"))])
    # Chosen with the column headers; kept when the filters change. An unknown one sorts by name.
    sort = forms.CharField(label=_("Sorteren"), required=False, widget=forms.HiddenInput,
                           max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fase"].choices = _choices(_("Alle fasen"), Phase.choices)
        self.fields["kenmerk"].choices = _choices(_("Alle kenmerken"), Characteristic.choices)
        self.fields["beoordeling"].choices = _choices(_("Alle beoordelingen"), Band.choices)
        self.fields["status"].choices = _choices(_("Alle statussen"), [
            (ProjectStatus.NOT_ASSESSED, _("Nog niet beoordeeld")),
            (ProjectStatus.CONCEPT, _("Eerste beoordeling loopt")),
            (ProjectStatus.COMPLETED, _("Afgerond"))])

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"]
        return sort if sort.lstrip("-") in SORT_COLUMNS and sort.count("-") <= 1 else ""

    def filters(self) -> OverviewFilters:
        """The valid filters (call after is_valid(); an invalid one is left out)."""
        data = getattr(self, "cleaned_data", {})
        unmet = {"niet-gehaald": True, "gehaald": False}.get(data.get("minimumeisen") or "")
        return OverviewFilters(
            query=data.get("q") or "", phase=data.get("fase") or "",
            characteristic=data.get("kenmerk") or "", band=data.get("beoordeling") or "",
            status=data.get("status") or "", unmet=unmet)

    def ordering(self) -> str:
        return getattr(self, "cleaned_data", {}).get("sort") or "name"


class ActionFilterForm(QueryFilterForm):
    """The portfolio's action filters, from the query string."""

    actiestatus = forms.ChoiceField(label=_("Status"), required=False)
    verlopen = forms.BooleanField(label=_("Alleen verlopen acties"), required=False)
    eigenaar = CleanCharField(label=_("Eigenaar"), required=False, max_length=OWNER_MAX)
    perspectief = forms.TypedChoiceField(label=_("Perspectief"), required=False, coerce=int,
                                         empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actiestatus"].choices = _choices(_("Alle statussen"), [
            (OPEN_ACTIONS, _("Open of bezig")), *ActionStatus.choices])
        self.fields["perspectief"].choices = _choices(_("Alle perspectieven"), [
            (str(number), f"{number}. {title}")
            for number, title in perspective_titles().items()])

    def filters(self) -> ActionFilters:
        data = getattr(self, "cleaned_data", {})
        return ActionFilters(status=data.get("actiestatus") or "",
                             overdue=bool(data.get("verlopen")),
                             owner=data.get("eigenaar") or "",
                             perspective=data.get("perspectief"))
