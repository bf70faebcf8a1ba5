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


# Refused answers by ``AnswerError.code`` (``checklists``), with its params.
ANSWER_ERRORS = {
    "yes_no": _l("Choose yes or no."),
    "yes_no_na": _l("Choose yes, no or N/A."),
    "rating_range": _l("Choose a rating from %(low)s to %(high)s."),
    "number_range": _l("Enter a number between %(low)s and %(high)s."),
    "number_min": _l("Enter a number of at least %(low)s."),
    "number_max": _l("Enter a number of at most %(high)s."),
    "number": _l("Enter a number."),
    "choice": _l("Choose one of the options."),
    "multi_choice": _l("Choose from the options."),
    "text_too_long": _l("Keep the text under %(max)s characters."),
    "photo_count": _l("Enter the number of photos."),
    "timer": _l("Enter the wait in seconds (or as m:ss)."),
    "date": _l("Enter a date like %(example)s."),
    "time": _l("Enter a time like %(example)s."),
    "datetime": _l("Enter a date and time like %(example)s."),
    "constraint": _l("This answer is not allowed here."),
    "not_answerable": _l("This item cannot be answered."),
}


def answer_error(exc, item=None) -> str:
    """A refused answer (``checklists.AnswerError``) in the user's language, by its code.

    A checklist's own ``constraint_message`` wins for a broken constraint.
    """
    from fieldapp.web.i18n import number, text_of

    if exc.code == "constraint" and item is not None and getattr(item, "constraint_message", None):
        return text_of(item.constraint_message)
    label = ANSWER_ERRORS.get(exc.code)
    if label is None:
        return exc.message
    params = {k: number(v) if isinstance(v, float) else v for k, v in (exc.params or {}).items()}
    try:
        return str(label) % params
    except (KeyError, TypeError, ValueError):
        return exc.message
