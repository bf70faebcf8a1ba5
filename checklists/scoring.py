"""Visit scoring (0-100), pass/fail and the submit-time requirement check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .answers import item_failed, item_score, normalize
from .model import Checklist
from .relevance import relevant_keys
from .types import item_type


@dataclass(frozen=True)
class VisitScore:
    score: float | None
    passed: bool
    stages: dict
    touchpoints: dict
    emotional: float | None
    rational: float | None
    failed_items: tuple[str, ...]
    critical_failures: tuple[str, ...]
    answered: int
    scored: int


@dataclass(frozen=True)
class Missing:
    item_key: str
    reason: str  # "required" | "photo_on_fail"


class _Acc:
    __slots__ = ("num", "den")

    def __init__(self):
        self.num = 0.0
        self.den = 0.0

    def add(self, score: float, weight: float) -> None:
        self.num += score * weight
        self.den += weight

    def result(self) -> float | None:
        if self.den <= 0:
            return None
        return max(0.0, min(100.0, round(100.0 * (self.num / self.den), 9)))


@dataclass(frozen=True)
class ItemResult:
    """One asked item's part in a visit's score (the rows reports aggregate).

    ``score`` is 0..1 (None: not scored); ``value`` the normalised answer.
    """

    key: str
    stage: str
    touchpoint: str
    value: object
    score: float | None
    failed: bool
    critical: bool


def item_results(checklist: Checklist, answers: Mapping[str, object], *,
                 visit_start=None) -> list[ItemResult]:
    """Each item's result, in checklist order; items skipped by skip logic give none.

    The one per-item rule that :func:`score_visit` adds up: an unanswered required
    item that could be scored counts as 0.

    :raise AnswerError: a value of the wrong type for its item.
    """
    context = {"answers": answers, "visit_start": visit_start}
    asked = relevant_keys(checklist, answers)
    out: list[ItemResult] = []
    for stage in checklist.stages:
        for tp in stage.touchpoints:
            for item in tp.items:
                value = normalize(item, answers.get(item.key))
                if item.key not in asked:
                    continue  # skipped by skip logic: kept, but neither scored nor counted
                s = item_score(item, value, context)
                if s is None and value is None and item.required and item_type(item.type).scorable(item):
                    s = 0.0  # unanswered required item counts as 0
                out.append(ItemResult(item.key, stage.key, tp.key, value, s,
                                      bool(item_failed(item, value, context)), item.critical))
    return out


def score_visit(checklist: Checklist, answers: Mapping[str, object], *,
                visit_start=None) -> VisitScore:
    """Score one visit's answers against its checklist.

    Answers for keys the checklist does not have are ignored; items skipped by their
    ``relevant`` expression are neither scored, counted nor failed (answers kept).

    ``visit_start`` (datetime or ISO text) is what ``deadline_from: visit_start`` items
    count from; without it they are not judged.

    :raise AnswerError: a value of the wrong type for its item.
    """
    return score_results(checklist, item_results(checklist, answers, visit_start=visit_start))


def score_results(checklist: Checklist, results: list[ItemResult]) -> VisitScore:
    """Add item results up into the visit, stage and touchpoint scores."""
    by_key = {r.key: r for r in results}
    visit, emotional, rational = _Acc(), _Acc(), _Acc()
    stages: dict = {}
    touchpoints: dict = {}
    failed: list[str] = []
    critical: list[str] = []
    answered = scored = 0
    for stage in checklist.stages:
        stage_acc = _Acc()
        for tp in stage.touchpoints:
            tp_acc = _Acc()
            for item in tp.items:
                r = by_key.get(item.key)
                if r is None:
                    continue
                if r.value is not None:
                    answered += 1
                if r.failed:
                    failed.append(item.key)
                    if item.critical:
                        critical.append(item.key)
                if r.score is None:
                    continue
                s = r.score
                scored += 1
                w = item.weight * tp.importance
                tp_acc.add(s, item.weight)
                stage_acc.add(s, w)
                visit.add(s, w)
                if item_type(item.type).emotional(item):
                    emotional.add(s, w)
                else:
                    rational.add(s, w)
            touchpoints[tp.key] = tp_acc.result()
        stages[stage.key] = stage_acc.result()
    score = visit.result()
    passed = score is not None and score >= checklist.pass_score - 1e-9 and not critical
    return VisitScore(score=score, passed=passed, stages=stages, touchpoints=touchpoints,
                      emotional=emotional.result(), rational=rational.result(),
                      failed_items=tuple(failed), critical_failures=tuple(critical),
                      answered=answered, scored=scored)


def missing_requirements(checklist: Checklist, answers: Mapping[str, object],
                         photo_counts: Mapping[str, int] | None = None, *,
                         visit_start=None) -> list[Missing]:
    """What blocks submitting: required items unanswered and failed photo_on_fail items
    without a photo, in checklist order."""
    photo_counts = photo_counts or {}
    out: list[Missing] = []
    asked = relevant_keys(checklist, answers)
    for item in checklist.items():
        value = normalize(item, answers.get(item.key))
        if item.key not in asked:
            continue
        photos = photo_counts.get(item.key) or 0
        if item.required and not item_type(item.type).answered(item, value, photos):
            out.append(Missing(item.key, "required"))
        elif item.photo_on_fail and photos <= 0 and \
                item_failed(item, value, {"answers": answers, "visit_start": visit_start}):
            out.append(Missing(item.key, "photo_on_fail"))
    return out
