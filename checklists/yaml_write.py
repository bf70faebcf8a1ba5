"""Write a Checklist back as YAML in the documented format (converter and XLSX imports).

Only non-default values are written, so the file reads like a hand-written one, and
``load_checklist_text(checklist_to_yaml(c))`` gives an equal model.
"""

from __future__ import annotations

import yaml

from .model import Checklist, Item, Text
from .types import item_type


def _text(t: Text):
    if t.ko == t.en:
        return t.ko
    return {k: v for k, v in (("ko", t.ko), ("en", t.en)) if v}


def _num(x: float):
    return int(x) if float(x).is_integer() else x


def _value(kind: str, value):
    if kind == "text":
        return _text(value)
    if kind == "number":
        return _num(value)
    if kind == "names":
        return list(value)
    if kind == "choices":
        out = []
        for c in value:
            d = {"key": c.key, "label": _text(c.label), "score": _num(c.score)}
            if c.fail != (c.score == 0):
                d["fail"] = c.fail
            out.append(d)
        return out
    return value


def item_dict(item: Item) -> dict:
    d: dict = {"key": item.key, "type": item.type, "title": _text(item.title)}
    if item.help is not None:
        d["help"] = _text(item.help)
    if item.weight != 1:
        d["weight"] = _num(item.weight)
    for flag in ("required", "critical", "photo_on_fail"):
        if getattr(item, flag):
            d[flag] = True
    for name in ("relevant", "constraint"):
        if getattr(item, name):
            d[name] = getattr(item, name)
    if item.constraint_message is not None:
        d["constraint_message"] = _text(item.constraint_message)
    for name, spec in item_type(item.type).keys.items():
        value = getattr(item, name)
        if spec.kind == "choices" or value != spec.default:
            d[name] = _value(spec.kind, value)
    return d


def checklist_dict(c: Checklist) -> dict:
    d: dict = {"id": c.id, "version": c.version, "kind": c.kind, "title": _text(c.title)}
    if c.description is not None:
        d["description"] = _text(c.description)
    d["pass_score"] = _num(c.pass_score)
    if c.events:
        d["events"] = {k: _text(v) for k, v in c.events}
    stages = []
    for s in c.stages:
        sd: dict = {"key": s.key, "title": _text(s.title), "journey_stage": s.journey_stage}
        if not s.emotion_prompt:
            sd["emotion_prompt"] = False
        sd["touchpoints"] = [{"key": tp.key, "title": _text(tp.title),
                              "importance": tp.importance,
                              "items": [item_dict(i) for i in tp.items]}
                             for tp in s.touchpoints]
        stages.append(sd)
    d["stages"] = stages
    return d


def checklist_to_yaml(c: Checklist) -> str:
    """The checklist as YAML text in the documented format."""
    return yaml.safe_dump(checklist_dict(c), allow_unicode=True, sort_keys=False,
                          default_flow_style=None, width=100)
