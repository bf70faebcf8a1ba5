"""Which items a customer answers, and an answer reduced to the numbers reports add up: per rated
touchpoint, the mean of its ratings; per stage, the mean of those touchpoints.

Written as rows when an answer is submitted (``storage.voice.write_parts``),
so dashboards and period reports sum them in SQL instead of re-reading every
answer's JSON. Plain functions: no Flask, no SQLite.
"""

from __future__ import annotations

STAGE, TOUCHPOINT = "stage:", "tp:"
# Customers answer on their own phone, without an account: nothing needing a
# stopwatch, a camera upload or a signature.
NOT_FOR_CUSTOMERS = frozenset({"timer", "photo", "signature"})


def customer_items(stage):
    """The items of a stage a customer can answer, in order."""
    return [i for tp in stage.touchpoints for i in tp.items if i.type not in NOT_FOR_CUSTOMERS]


def customer_stages(checklist) -> list:
    return [s for s in checklist.stages if customer_items(s)]


def rated_touchpoints(stage) -> list:
    """The touchpoints of a stage with a rating item: what its CSAT is made of."""
    return [tp for tp in stage.touchpoints if any(i.type == "rating" for i in tp.items)]


def touchpoint_rating(touchpoint, answers: dict) -> float | None:
    """The mean of a customer's ratings of one touchpoint (1-5), or None."""
    values = [answers[i.key] for i in touchpoint.items if i.type == "rating" and answers.get(i.key) is not None]
    return sum(values) / len(values) if values else None


def response_parts(checklist, answers: dict) -> dict[str, float]:
    """``{"stage:<key>": mean, "tp:<key>": mean}`` of one answer: a touchpoint's
    mean rating, and a stage's mean over its rated touchpoints this customer rated."""
    out: dict[str, float] = {}
    for stage in customer_stages(checklist):
        values = []
        for tp in rated_touchpoints(stage):
            value = touchpoint_rating(tp, answers)
            if value is not None:
                out[TOUCHPOINT + tp.key] = value
                values.append(value)
        if values:
            out[STAGE + stage.key] = sum(values) / len(values)
    return out
