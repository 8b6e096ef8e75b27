"""Forms validate and convert; the services write."""

import json
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from perspectives.models import Perspective
from waardevol.text import CleanCharField, clean_text_formfield

from . import concurrency
from .models import REASON_MAX, Action, AnswerKind, Membership, Project, Role
from .selectors import PerspectiveView, QuestionView
from .services import AnswerValues, answer_fingerprint


class SharedObjectForm(forms.ModelForm):
    """A form for an object colleagues edit too: it remembers what its page showed (`base`) so
    that saving writes only what this user changed and asks about what a colleague changed too
    (see concurrency.py and services.object_changes_save).

    `conflicts` maps field names to the value a colleague stored: each gets a required choice
    between "mine" and "theirs".
    """

    base = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)

    class Meta:
        # Django reads formfield_callback from a form's own Meta only: subclasses write
        # `class Meta(SharedObjectForm.Meta)` so their free-text fields are cleaned too.
        formfield_callback = clean_text_formfield

    def __init__(self, *args, conflicts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_fields = [name for name in self._meta.fields if name in self.fields]
        if not self.is_bound and self.instance.pk is not None:
            self.fields["base"].initial = self.base_of(self.instance)
        self.conflicts = conflicts or {}
        # A conflict page marks its conflicting fields, so the next submit must answer them.
        pending = list(self.conflicts) or [
            name for name in self.shared_fields if self.is_bound and self.data.get(f"conflict-{name}")
        ]
        extra = {}
        for name in pending:
            extra[f"conflict-{name}"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                                        initial="1")
            # The page was based on what is stored now, so the instance holds the colleague's value.
            theirs = self.conflicts.get(name, getattr(self.instance, name, None))
            extra[f"resolve-{name}"] = forms.ChoiceField(
                label=_("Welke waarde van ‘%(field)s’ wilt u bewaren?") % {
                    "field": self.fields[name].label},
                choices=[
                    (concurrency.MINE, _("Mijn waarde: %(value)s") % {
                        "value": self._display(name, self._submitted_value(name))}),
                    (concurrency.THEIRS, _("De waarde van mijn collega: %(value)s") % {
                        "value": self._display(name, theirs)}),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Kies welke waarde u wilt bewaren.")},
            )
        # The choices come first: they are what the page asks now.
        self.fields = {**extra, **self.fields}

    def base_of(self, instance) -> str:
        return json.dumps({name: concurrency.fingerprint(getattr(instance, name))
                           for name in self.shared_fields})

    def base_values(self) -> dict[str, str]:
        try:
            base = json.loads(self.cleaned_data.get("base") or "{}")
        except ValueError:
            return {}
        return {k: v for k, v in base.items() if isinstance(v, str)} if isinstance(base, dict) else {}

    def submitted(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.shared_fields}

    def resolutions(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"resolve-{name}"] for name in self.shared_fields
                if self.cleaned_data.get(f"resolve-{name}")}

    def with_conflicts(self, stored, conflicts: list[str]) -> "SharedObjectForm":
        """The page again, based on what is stored now: fields the user did not change show the
        stored value, the user's own changes stay, and the conflicting fields ask for a choice."""
        data = self.data.copy()
        shown = self.base_values()
        submitted = self.submitted()
        for name in self.shared_fields:
            value = getattr(stored, name)
            if concurrency.fingerprint(submitted[name]) == shown.get(name):
                self._put(data, name, value)
        for name in conflicts:
            data.pop(f"resolve-{name}", None)
            data[f"conflict-{name}"] = "1"
        data["base"] = self.base_of(stored)
        form = type(self)(data, instance=stored,
                          conflicts={name: getattr(stored, name) for name in conflicts})
        # The user has done nothing wrong yet: the choice is a question, not an error, until
        # the page is sent again without it.
        for name in conflicts:
            form.errors.pop(f"resolve-{name}", None)
        return form

    def _put(self, data, name: str, value) -> None:
        if isinstance(self.fields[name].widget, forms.CheckboxInput):
            data.pop(name, None)
            if value:
                data[name] = "on"
        else:
            data[name] = concurrency.value_key(value)

    def resolve_fields(self) -> list[str]:
        return [name for name in self.fields if name.startswith("resolve-")]

    def conflict_items(self) -> list[dict]:
        """Each conflict as the page shows it: the field and the colleague's value."""
        return [{"label": self.fields[name].label, "theirs": self._display(name, value),
                 "target": f"id_resolve-{name}_0"} for name, value in self.conflicts.items()]

    def _submitted_value(self, name: str):
        """What this user sent for a field, for the choice's label (None if it does not convert)."""
        try:
            return self.fields[name].clean(self[name].data)
        except forms.ValidationError:
            return None

    def _display(self, name: str, value) -> str:
        """A value as a person reads it: the label of a choice, a date in words, a long text
        shortened (the field itself shows it whole)."""
        field = self.fields[name]
        if isinstance(field, forms.BooleanField):
            return str(_("ja") if value else _("nee"))
        if value in (None, ""):
            return "–"
        if isinstance(value, date):
            return date_format(value, "j F Y")
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            return str(dict(field.choices).get(value, value))
        return f"‘{Truncator(str(value)).chars(80)}’"

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
    def questions(self) -> list[QuestionView]:
        return [q for q in self.perspective.questions if q.applicable]

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
            label=_("Reden waarom de vraag niet van toepassing is"), max_length=REASON_MAX,
            required=False, help_text=_("Verplicht bij ‘niet van toepassing’."),
        )
        self.fields[f"{prefix}-note"] = CleanCharField(
            label=_("Toelichting of bewijs (optioneel)"), max_length=2000, required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields[f"{prefix}-version"] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=0, initial=answer.version if answer else 0,
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


class MembershipForm(SharedObjectForm):
    """A beheerder changes a colleague's role and whether they may invite others."""

    class Meta(SharedObjectForm.Meta):
        model = Membership
        fields = ["role", "is_manager"]
        widgets = {"role": forms.RadioSelect}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van uw collega"), max_length=254)
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices, widget=forms.RadioSelect,
                             initial=Role.EDITOR)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        # Only colleagues of the inviter's own municipality are named: whether an address has an
        # account elsewhere is not the inviter's business (the invitation link says so instead).
        if Membership.objects.filter(municipality=self.municipality,
                                     user__email__iexact=email).exists():
            raise forms.ValidationError(
                _("Er is al een collega met dit e-mailadres lid van uw gemeente. U kunt de rol "
                  "van uw collega wijzigen bij ‘Leden’."))
        return email


class InviteAcceptForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ["username", "first_name", "last_name"]
        formfield_callback = clean_text_formfield
