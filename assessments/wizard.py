"""The questionnaire's steps: 0 = introduction, 1..10 = perspectives, then the review page."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Assessment
from .readmodel import AssessmentResult, PerspectiveView

STEP_BUTTON = re.compile(r"step-([0-9]{1,3})")
# "Bevestigen" beside an answer adopted from an example, or for all of them on the step.
CONFIRM_BUTTON = re.compile(r"confirm-([0-9]{1,10}|all)")


@dataclass
class StepLink:
    number: int
    title: str
    group: str
    state: str  # "done", "partial", "todo"
    state_label: str
    is_current: bool


class Wizard:
    """`step_url` names the view of a step (with `step_pk` and the step number): the
    questionnaire's own, or a rater's (`assessments:rating_step` with the round's id)."""

    def __init__(self, assessment: Assessment, result: AssessmentResult, *,
                 step_url: str = "assessments:step", step_pk: int | None = None,
                 for_rater: bool = False):
        self.for_rater = for_rater
        self.assessment = assessment
        self.result = result
        self.step_url = step_url
        self.step_pk = step_pk if step_pk is not None else assessment.pk

    @property
    def review_step(self) -> int:
        return len(self.result.perspectives) + 1

    @property
    def total_steps(self) -> int:
        return self.review_step + 1

    def perspective_at(self, step: int) -> PerspectiveView:
        return self.result.perspectives[step - 1]

    def target_step(self, step: int, navigate: str) -> int | None:
        """The step a button leads to, or None for a value no button of ours sends."""
        if navigate in ("", "next"):
            return min(step + 1, self.review_step)
        if navigate == "previous":
            return max(step - 1, 0)
        if navigate == "later":
            return step
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        match = STEP_BUTTON.fullmatch(navigate)
        if match:
            return min(int(match[1]), self.review_step)
        if CONFIRM_BUTTON.fullmatch(navigate):
            return step
        return None

    @staticmethod
    def confirmed_questions(navigate: str, perspective: PerspectiveView) -> list[int]:
        """The adopted answers of this step that a "Bevestigen" button confirms (question ids)."""
        match = CONFIRM_BUTTON.fullmatch(navigate)
        if not match:
            return []
        adopted = [q.id for q in perspective.questions if q.is_adopted]
        return adopted if match[1] == "all" else [i for i in adopted if i == int(match[1])]

    def steps(self, current: int) -> list[StepLink]:
        links = [StepLink(0, _("Introductie: het project"), _("Start"), "done", _("ingevuld"),
                          current == 0)]
        links += [self.perspective_link(perspective, current)
                  for perspective in self.result.perspectives]
        links.append(self.review_link(current))
        return links

    def perspective_link(self, perspective: PerspectiveView, current: int) -> StepLink:
        answered, total = perspective.answered_count, perspective.applicable_count
        if answered == total:
            state, label = "done", _("alle vragen beantwoord")
        elif answered:
            state, label = "partial", _("%(answered)s van %(total)s beantwoord") % {
                "answered": answered, "total": total}
        else:
            state, label = "todo", _("nog niet beantwoord")
        return StepLink(perspective.step, f"{perspective.number}. {perspective.title}",
                        perspective.process_title, state, label, current == perspective.step)

    def review_link(self, current: int) -> StepLink:
        missing = len(self.result.missing)
        if self.for_rater:  # a rater submits their own scores; unscored questions may stay open
            title, group, ready = _("Scores indienen"), _("Indienen"), _("klaar om in te dienen")
        else:
            title, group, ready = (_("Controleren en afronden"), _("Afronden"),
                                   _("klaar om af te ronden"))
        return StepLink(
            self.review_step, title, group, "done" if not missing else "todo",
            ready if not missing else _("%(n)s vragen open") % {"n": missing},
            current == self.review_step,
        )

    def context(self, step: int) -> dict:
        return {
            "assessment": self.assessment,
            "project": self.assessment.project,
            "result": self.result,
            "step": step,
            "step_display": step + 1,
            "total_steps": self.total_steps,
            "progress_percent": round(100 * (step + 1) / self.total_steps),
            "steps": self.steps(step),
            "perspective": self.perspective_at(step) if 0 < step < self.review_step else None,
            "review_step": self.review_step,
            "previous_step": step - 1 if step > 0 else None,
            "step_url": self.step_url,
            "step_pk": self.step_pk,
        }
