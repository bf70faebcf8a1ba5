"""Words stored as codes (roles, visit states, kinds) with their translatable labels.

Templates show ``_(code)``; listing the codes here lets ``pybabel extract``
find them.
"""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("admin"), "manager": _l("manager"), "reviewer": _l("reviewer"),
    "auditor": _l("auditor"), "planner": _l("planner"),
}
STATUS_LABELS = {
    "draft": _l("draft"), "submitted": _l("submitted"), "returned": _l("returned"),
    "reviewed": _l("reviewed"), "released": _l("released"),
    "open": _l("open"), "started": _l("started"), "done": _l("done"),
    "verified": _l("verified"), "cancelled": _l("cancelled"),
}
# Simulation job states ("failed" here is not an item's "failed")
JOB_STATUS_LABELS = {
    "queued": _l("queued"), "running": _l("running"), "done": _l("finished"),
    "failed": _l("run failed"), "cancelled": _l("cancelled"), "interrupted": _l("interrupted"),
}


def job_status(code: str) -> str:
    return str(JOB_STATUS_LABELS.get(code, code))


# Calibration warnings (simulation.calibrate gives code + params + English text).
CALIBRATION_WARNINGS = {
    "pooled_stores": _l("Timings from %(n)s stores are pooled (%(names)s); "
                        "choose one store for a per-store baseline."),
    "pooled_stations": _l("Timings from %(n)s stations are pooled into one (%(names)s)."),
    "repeated_marks": _l("%(n)s repeated marks: the first arrival/start and the last end mark were used."),
    "start_before_arrival": _l("%(n)s visits with the start mark before the arrival mark "
                               "were left out of the waits."),
    "end_before_start": _l("%(n)s visits with the end mark before the start mark "
                           "were left out of the service times."),
    "zero_service": _l("%(n)s service times of zero (same start and end mark) were left out."),
    "before_opening": _l("%(n)s traffic slots before opening (%(open)s) were ignored."),
    "missing_slots": _l("%(n)s time slots are missing on some days (e.g. %(slot)s: %(counted)s of "
                        "%(days)s days); their mean uses the days counted."),
    "few_days": _l("Traffic covers only %(days)s day(s); rates per slot are rough."),
    "no_staffing": _l("No staffing given: 1 server assumed all day."),
    "uncovered_slots": _l("No server on duty in %(n)s time slots with arrivals (first at %(first)s); "
                          "the rota has no server for that hour."),
    "few_service_times": _l("Only %(n)s service times; the fitted distribution is rough."),
    "no_waits": _l("No visit has both an arrival and a start mark: no observed waits to check against."),
    "few_ratings": _l("Only %(n)s ratings: the default satisfaction curve was kept."),
}


def calibration_warning(warning) -> str:
    """A calibration warning in the user's language; unknown codes keep the English text."""
    if isinstance(warning, str):  # baselines saved before warnings carried codes
        return warning
    label = CALIBRATION_WARNINGS.get(warning.get("code"))
    if label is None:
        return warning.get("text", "")
    try:
        return str(label) % warning.get("params", {})
    except (KeyError, TypeError, ValueError):
        return warning.get("text", "")


JOURNEY_LABELS = {
    "awareness": _l("awareness"), "consideration": _l("consideration"),
    "purchase": _l("purchase"), "use": _l("use"), "retention": _l("retention"),
    "advocacy": _l("advocacy"),
}


# Photo refusals by ``PhotoError.code``, translated for the user.
PHOTO_ERRORS = {
    "empty": _l("The file is empty."),
    "format": _l("Only photos (JPEG, PNG, WebP, HEIC) are accepted."),
    "pixels": _l("The image has too many pixels."),
    "unreadable": _l("This file is not a photo we can read."),
}


def photo_error(exc) -> str:
    """A refused upload (``PhotoError``) in the user's language, looked up by its code."""
    label = PHOTO_ERRORS.get(exc.code)
    return str(label) % exc.params if label is not None else str(exc)


def answer_error(item) -> str:
    """The user's message for an answer ``checklists.parse_answer`` refused, in their language."""
    from flask_babel import gettext as _

    kind = item.type
    if kind == "yes_no":
        return _("Choose yes or no.")
    if kind == "yes_no_na":
        return _("Choose yes, no or N/A.")
    if kind == "rating":
        return _("Choose a rating from 1 to 5.")
    if kind == "number":
        if item.min is not None and item.max is not None:
            return _("Enter a number between %(low)s and %(high)s.", low=_n(item.min), high=_n(item.max))
        if item.min is not None:
            return _("Enter a number of at least %(low)s.", low=_n(item.min))
        if item.max is not None:
            return _("Enter a number of at most %(high)s.", high=_n(item.max))
        return _("Enter a number.")
    if kind == "choice":
        return _("Choose one of the options.")
    if kind == "timer":
        return _("Enter the wait in seconds (or as m:ss).")
    if kind == "text":
        return _("Keep the text shorter.")
    return _("This item cannot be answered.")


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
