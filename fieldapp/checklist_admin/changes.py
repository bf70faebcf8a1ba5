"""What changed between two versions of a checklist, in the admin's terms.

Items are matched by key (the key is what answers and reports hang on): an
item is added, removed, reworded (title, help or choice labels), or
re-weighted (weight, critical, or its touchpoint's importance). A moved item
whose words and weight stay is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checklists import Checklist


@dataclass
class Changes:
    added: list = field(default_factory=list)       # items of the newer version
    removed: list = field(default_factory=list)     # items of the older version
    reworded: list = field(default_factory=list)    # (old item, new item)
    reweighted: list = field(default_factory=list)  # (item, [(what, old, new)])
    other: list = field(default_factory=list)       # (item, [field names]) type, logic, ...

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.reweighted or self.other)


def _words(item) -> tuple:
    return (item.title, item.help, tuple((c.key, c.label) for c in item.choices))


def _weights(checklist: Checklist, item) -> dict:
    return {"weight": item.weight, "critical": item.critical,
            "importance": checklist.touchpoint_of(item.key).importance}


_LOGIC = ("type", "required", "relevant", "constraint", "photo_on_fail", "target_sec",
          "pass_min", "pass_max", "min", "max", "fail_at_or_below", "mode")


def compare(old: Checklist, new: Checklist) -> Changes:
    """The changes from ``old`` to ``new``, in the newer version's item order."""
    before = {i.key: i for i in old.items()}
    after = {i.key: i for i in new.items()}
    out = Changes()
    for key, item in after.items():
        if key not in before:
            out.added.append(item)
            continue
        was = before[key]
        if _words(was) != _words(item):
            out.reworded.append((was, item))
        w_old, w_new = _weights(old, was), _weights(new, item)
        moved = [(k, w_old[k], w_new[k]) for k in w_old if w_old[k] != w_new[k]]
        if moved or tuple(c.score for c in was.choices) != tuple(c.score for c in item.choices):
            if tuple(c.score for c in was.choices) != tuple(c.score for c in item.choices):
                moved.append(("choice scores", [c.score for c in was.choices],
                              [c.score for c in item.choices]))
            out.reweighted.append((item, moved))
        logic = [name for name in _LOGIC if getattr(was, name) != getattr(item, name)]
        if logic:
            out.other.append((item, logic))
    out.removed = [i for k, i in before.items() if k not in after]
    return out
