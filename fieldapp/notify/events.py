"""The events people can be told about, each with its words, declared once.

A notification stores its event name and plain parameters; the words are made
in the reader's language when shown (inbox) or when the mail is written
(``render``, under ``flask_babel.force_locale``). Another feature may add its
own event with :func:`register_event`; an unknown event shows ``params["title"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Event:
    name: str
    label: object      # what the settings page calls it
    title: object      # one line: inbox row and mail subject
    body: object = ""  # mail body and inbox detail
    urgent: bool = False  # mailed at once even to digest readers, never muted


EVENTS: dict[str, Event] = {}


def register_event(name: str, *, label, title, body="", urgent: bool = False) -> Event:
    EVENTS[name] = Event(name, label, title, body, urgent)
    return EVENTS[name]


register_event("visit_returned", label=_l("A visit of mine is returned to me"),
               title=_l("Visit returned: %(store)s"),
               body=_l("The reviewer returned your visit to %(store)s with this note: %(note)s"))
register_event("visit_released", label=_l("A visit of my store is released"),
               title=_l("New visit report: %(store)s, score %(score)s"),
               body=_l("A visit of %(store)s on %(date)s was released: score %(score)s, "
                       "%(failed)s item(s) failed."))
register_event("critical_failed", label=_l("A critical item failed"),
               title=_l("Critical item failed at %(store)s: %(item)s"),
               body=_l("The visit of %(store)s on %(date)s failed a critical item: %(item)s. "
                       "Please act on it today."), urgent=True)
register_event("action_assigned", label=_l("An action is assigned to me"),
               title=_l("Action for you: %(item)s (%(store)s)"),
               body=_l("%(actor)s assigned you a corrective action at %(store)s: %(item)s. "
                       "Due %(due)s, priority %(priority)s."))
register_event("action_due_tomorrow", label=_l("An action of mine is due tomorrow"),
               title=_l("Due tomorrow: %(item)s (%(store)s)"),
               body=_l("The corrective action %(item)s at %(store)s is due tomorrow (%(due)s)."))
register_event("action_overdue", label=_l("An action is overdue"),
               title=_l("Overdue: %(item)s (%(store)s)"),
               body=_l("The corrective action %(item)s at %(store)s was due %(due)s and is not done."))
register_event("action_reopened", label=_l("An action is reopened by a later visit"),
               title=_l("Reopened: %(item)s failed again at %(store)s"),
               body=_l("The visit of %(date)s failed %(item)s again, so its corrective action is open again."))
register_event("action_done", label=_l("An action of my store is marked done"),
               title=_l("Done: %(item)s (%(store)s)"),
               body=_l("%(actor)s marked the corrective action %(item)s at %(store)s done."))
register_event("job_finished", label=_l("My simulation has finished"),
               title=_l("Simulation finished: %(title)s"),
               body=_l("Your simulation %(title)s has finished (%(status)s)."))
register_event("dispute_raised", label=_l("A store disputes a visit's item"),
               title=_l("Dispute from %(store)s: %(item)s"),
               body=_l("%(actor)s disputes %(item)s on the visit of %(date)s: %(reason)s"))
register_event("dispute_accepted", label=_l("A dispute is decided"),
               title=_l("Dispute accepted: %(item)s (%(store)s)"),
               body=_l("The reviewer accepted the dispute: %(item)s no longer counts; "
                       "the visit's score is now %(score)s. %(reply)s"))
register_event("dispute_rejected", label=_l("A dispute is decided"),
               title=_l("Dispute rejected: %(item)s (%(store)s)"),
               body=_l("The reviewer rejected the dispute on %(item)s: %(reply)s"))


class _Params(dict):
    """Format parameters: a {ko, en} pair picks the language, a missing key stays visible."""

    def __init__(self, params: dict, locale: str):
        super().__init__({k: _pick(v, locale) for k, v in params.items()})

    def __missing__(self, key):
        return "…"


def _pick(value, locale: str):
    if isinstance(value, dict) and ("ko" in value or "en" in value):
        return value.get(locale) or value.get("ko") or value.get("en") or ""
    return value


def words(event: str, params: dict, locale: str) -> tuple[str, str]:
    """(title, body) of a notification in the current language (``locale`` picks pairs)."""
    spec = EVENTS.get(event)
    values = _Params(params, locale)
    if spec is None:
        return str(values.get("title") or event), str(values.get("body") or "")
    return str(spec.title) % values, (str(spec.body) % values if spec.body else "")


def render(event: str, params: dict, locale: str) -> tuple[str, str]:
    """(title, body) in ``locale``, whatever the current request's language is."""
    with force_locale(locale):
        return words(event, params, locale)


def settable() -> list[Event]:
    """Events a user may mute (urgent ones always arrive); one entry per label."""
    seen, out = set(), []
    for e in EVENTS.values():
        if not e.urgent and str(e.label) not in seen:
            seen.add(str(e.label))
            out.append(e)
    return out


def same_label(name: str) -> list[str]:
    """Events sharing ``name``'s label (muted together)."""
    label = str(EVENTS[name].label)
    return [e.name for e in EVENTS.values() if str(e.label) == label]
