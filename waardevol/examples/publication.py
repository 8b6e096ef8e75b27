"""What a published example copies of a completed assessment: pure functions on plain values."""

from collections.abc import Iterable, Mapping
from typing import Any

from assessments import scoring


def example_result(result: Mapping[str, Any], *, include_notes: bool) -> dict[str, Any]:
    """The frozen result as an example publishes it.

    Read back through `scoring.Evaluation`, so only what an evaluation consists of is copied
    (scores, bands, applicability, next steps and instruments by code): whatever else a stored
    result might hold stays behind. The notes and n.v.t. reasons, free text that can name
    people, stay behind too unless the publisher chose to include them.
    """
    evaluation = scoring.Evaluation.from_json(result)
    data = evaluation.to_json()
    for outcome in data["questions"].values():
        answer = outcome.get("answer")
        if answer is not None and not include_notes:
            answer["note"] = ""
            answer["na_reason"] = ""
    return data


def free_texts(result: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The free texts a published result holds, as (question code, "note" or "na_reason",
    text), in question order: what a moderator reads to see whether an example names someone."""
    texts = []
    for code, outcome in sorted((result.get("questions") or {}).items(),
                                key=lambda item: _code_order(item[0])):
        answer = (outcome or {}).get("answer") or {}
        texts += [(code, field, answer[field]) for field in ("note", "na_reason")
                  if answer.get(field)]
    return texts


def characteristic_codes(codes: Iterable[str]) -> str:
    """" ai personal_data ": each code between spaces, so `contains(" ai ")` finds exactly it."""
    codes = sorted(set(codes))
    return f" {' '.join(codes)} " if codes else ""


def answers_to_copy(result: Mapping[str, Any], questions: Mapping[str, Mapping[str, Any]]
                    ) -> tuple[dict[str, scoring.AnswerData], list[str]]:
    """The example's answers a new assessment starts from, by question code, and the codes that
    cannot be copied.

    `questions` is the current content's questions by code. An answer is copied when its
    question still exists; the score or "weet ik niet" as it was, n.v.t. with its reason if the
    example included it. Notes are never copied: they are the other municipality's evidence. An
    n.v.t. on what is now a minimum requirement is not copied, because a minimum requirement
    cannot be "niet van toepassing".
    """
    copied: dict[str, scoring.AnswerData] = {}
    skipped: list[str] = []
    for code, outcome in (result.get("questions") or {}).items():
        answer = scoring.AnswerData.from_json((outcome or {}).get("answer"))
        if answer is None:
            continue
        question = questions.get(code)
        if question is None or (answer.kind == scoring.NOT_APPLICABLE and question.get("minimum")):
            skipped.append(code)
            continue
        copied[code] = scoring.AnswerData(answer.kind, answer.score, answer.na_reason, "")
    return copied, sorted(skipped, key=_code_order)


def _code_order(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))
