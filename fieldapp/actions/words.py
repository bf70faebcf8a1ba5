"""Words for the action fields a thread entry names when an edit changed them."""

from flask_babel import lazy_gettext as _l

FIELD_WORDS = {"owner": _l("Owner"), "due_date": _l("Due date"), "priority": _l("Priority"),
               "note": _l("Note")}
PRIORITY_WORDS = {"high": _l("high"), "normal": _l("normal"), "low": _l("low")}
DISPUTE_WORDS = {"accepted": _l("accepted"), "rejected": _l("rejected")}
EVENT_WORDS = {"created": _l("created"), "edited": _l("edited"), "reassigned": _l("reassigned"),
               "comment": _l("comment")}
