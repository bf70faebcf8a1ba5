"""Words stored as codes (roles, visit states, kinds) with their translatable labels.

Templates show ``_(code)``; listing the codes here lets ``pybabel extract``
find them.
"""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("admin"), "manager": _l("manager"), "reviewer": _l("reviewer"),
    "auditor": _l("auditor"), "planner": _l("planner"), "staff": _l("store staff"),
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


# Problems of an imported file or an admin form, by ``imports.Problem.code``.
IMPORT_PROBLEMS = {
    "file_type": _l("not a CSV or XLSX file"),
    "unreadable": _l("the file cannot be read"),
    "no_rows": _l("no rows under the header"),
    "too_many_rows": _l("more than %(max)s rows"),
    "missing_column": _l("missing column"),
    "unknown_column": _l("unknown column"),
    "empty": _l("empty"),
    "repeated": _l("repeated (first on row %(first)s)"),
    "too_long": _l("longer than %(max)s characters"),
    "not_number": _l("not a number"),
    "out_of_range": _l("not between %(low)s and %(high)s"),
    "both_or_neither": _l("give both latitude and longitude, or neither"),
    "hours_format": _l("not like 09:00-22:00"),
    "yes_no": _l("not yes or no"),
    "role": _l("not one of %(choices)s"),
    "language": _l("not ko or en"),
    "unknown_store": _l("unknown store code %(code)s"),
    "username_format": _l("only letters, digits, dot, dash and underscore"),
    "shopper_not_auditor": _l("only an auditor can be a mystery shopper"),
    "taken": _l("already taken"),
}


def import_problem(problem) -> str:
    """One problem (``admin.imports.Problem``) in the user's language."""
    label = IMPORT_PROBLEMS.get(problem.code)
    try:
        return str(label) % problem.params if label is not None else problem.code
    except (KeyError, TypeError, ValueError):
        return str(label)


# Job board refusals by ``schedules.planning.ClaimRefused.code``.
CLAIM_REFUSALS = {
    "gone": _l("This visit is no longer open."),
    "taken": _l("Someone else has just taken this visit."),
    "not_yours": _l("This visit is not in your region."),
    "limit": _l("You already hold %(limit)s visits of this schedule; finish one first."),
    "rotation": _l("You made this store's last visit; another shopper takes the next one."),
}


def claim_refusal(exc) -> str:
    return str(CLAIM_REFUSALS[exc.code]) % exc.params


# The public customer survey's refusals and form errors, by code.
VOICE_ERRORS = {
    "required": _l("Please answer this question."),
    "contact_without_consent": _l("Tick the box to let us keep your contact details, or leave them empty."),
    "contact_too_long": _l("Please keep this under 200 characters."),
    "address": _l("Too many answers from this network just now. Please try again in a few minutes."),
    "store": _l("This store is receiving a lot of answers right now. Please try again in a few minutes."),
    "device": _l("You have already answered for this store today. Thank you!"),
    "busy": _l("Many customers are answering right now. Please try again in a moment."),
}


def voice_error(code) -> str:
    """A survey error in the customer's language (``code`` or a ``checklists.AnswerError``)."""
    if not isinstance(code, str):
        return answer_error(code)
    return str(VOICE_ERRORS.get(code, code))


def window_refusal(assignment: dict, today: str) -> str | None:
    """Why a visit cannot start today (its window not yet open, or closed), or None."""
    if today < assignment["window_start"]:
        return str(_l("This visit's window opens on %(date)s; it cannot be started before.")) % {
            "date": assignment["window_start"]}
    if today > assignment["window_end"]:
        return str(_l("This visit's window closed on %(date)s; ask your coordinator to extend it.")) % {
            "date": assignment["window_end"]}
    return None
