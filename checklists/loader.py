"""Load and validate checklist YAML, keeping a line number for every path.

Validation walks PyYAML's node graph (``yaml.compose``) rather than the constructed
Python objects, so every error can name the file, the line and the field path::

    krispy.yaml:41: stages[2].touchpoints[0].items[3].weight: must be > 0
"""

from __future__ import annotations

import hashlib
import os

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import Node, ScalarNode

from .build import COMMON_KEYS, build_item, type_keys_hint
from .errors import ChecklistError
from .model import JOURNEY_STAGES, KINDS, Checklist, Choice, Item, Stage, Text, Touchpoint
from .relevance import check_expressions
from .types import item_type, item_type_names
from .yaml_fields import _KEY_RE, _Fields, _got, _line, _Unscalar

_TAG = "tag:yaml.org,2002:"


SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".xlsm")


def load_checklist(path, *, skip_unsupported: bool = False) -> Checklist:
    """Read, validate and return the checklist at ``path``: YAML, or an XLSForm
    ``.xlsx``/``.xls`` (see ``xlsform_read``; ``skip_unsupported`` leaves out questions
    the app cannot ask instead of refusing the file, listed in ``import_notes``).

    :raise ChecklistError: missing file, YAML error or invalid content, one located line.
    """
    name = os.fspath(path)
    if name.lower().endswith(SPREADSHEET_SUFFIXES):
        from .xlsform_read import load_xlsform
        return load_xlsform(name, skip_unsupported=skip_unsupported)
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ChecklistError(name, 1, "file", "no such file") from None
    except IsADirectoryError:
        raise ChecklistError(name, 1, "file", "is a directory, not a file") from None
    except OSError as exc:
        raise ChecklistError(name, 1, "file", f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ChecklistError(name, line, "file", "is not valid UTF-8") from None
    return load_checklist_text(text, source=name)


def load_checklist_text(text: str, source: str = "checklist.yaml") -> Checklist:
    """Validate checklist YAML held in memory (e.g. stored in a database)."""
    if not isinstance(text, str):
        raise TypeError("load_checklist_text() wants str")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        _check_depth(text, source)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise ChecklistError(source, line, "yaml", f"syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise ChecklistError(source, 1, "yaml", f"syntax error: {exc}") from None
    if root is None:
        raise ChecklistError(source, 1, "(document)", "is empty; expected a mapping with id, "
                                                      "version, kind, title and stages")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _Reader(source).checklist(root, digest, text)


MAX_DEPTH = 40  # a checklist nests about 8 levels; PyYAML's composer recurses and fails near 1000


def _check_depth(text: str, source: str) -> None:
    """Refuse YAML nested deeper than :data:`MAX_DEPTH` with its line, before composing.

    The parser walks events without recursion, so this cannot overflow itself;
    the composer (and the reader below) would stop with a RecursionError instead
    of a located one-line error.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ChecklistError(source, event.start_mark.line + 1, "yaml",
                                     f"nested more than {MAX_DEPTH} levels deep", code="too_deep",
                                     params={"max": MAX_DEPTH})
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.constructor = SafeConstructor()
        self.item_keys: dict[str, int] = {}
        self.tp_keys: dict[str, int] = {}
        self.sites: dict = {}  # (item key, field) -> fail(): where expressions were written

    def fail(self, node: Node, path: str, what: str, code: str = "invalid", **params):
        raise ChecklistError(self.source, _line(node), path, what, code=code, params=params)

    def scalar(self, node: Node):
        if not isinstance(node, ScalarNode):
            return _Unscalar(node)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise ChecklistError(self.source, _line(node), "yaml",
                                 f"bad value {node.value!r}: {getattr(exc, 'problem', exc)}") \
                from None

    def text(self, node: Node, path: str) -> Text:
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            if not isinstance(value, str):
                self.fail(node, path, f"must be a string or a mapping with ko and en{_got(node)}")
            if not value.strip():
                self.fail(node, path, "must not be empty")
            return Text(ko=value, en=value)
        f = _Fields(self, node, path)
        f.allow(("ko", "en"))
        ko = f.str("ko", None)
        en = f.str("en", None)
        if ko is None and en is None:
            self.fail(node, path, "needs ko or en (or both)")
        return Text(ko=ko or "", en=en or "")

    # structure ---------------------------------------------------------------
    def checklist(self, root: Node, digest: str, text: str) -> Checklist:
        f = _Fields(self, root, "")
        f.allow(("id", "version", "kind", "title", "description", "pass_score", "events", "stages"))
        cid = f.key("id")
        version = f.int("version", lo=1)
        kind = f.str("kind", choices=KINDS)
        title = f.text("title")
        description = f.text("description", None)
        pass_score = f.number("pass_score", 80.0, lo=0, hi=100)
        stage_keys: dict[str, int] = {}
        stages = []
        for i, node in enumerate(f.list("stages")):
            stage = self.stage(node, f"stages[{i}]", stage_keys)
            stages.append(stage)
        events = self.events(f) if f.has("events") else ()
        checklist = Checklist(id=cid, version=version, kind=kind, title=title,
                              description=description, pass_score=pass_score,
                              stages=tuple(stages), content_hash=digest, source=self.source,
                              source_text=text, events=events)
        check_expressions(checklist, self.sites)
        return checklist

    def events(self, f: _Fields) -> tuple[tuple[str, Text], ...]:
        """``events: {queue_joined: {ko: 줄 섬, en: Joined the queue}, ...}``: stopwatch words."""
        g = _Fields(self, f.node("events"), "events")
        out = []
        for key, (key_node, value_node) in g.values.items():
            if not _KEY_RE.match(key):
                self.fail(key_node, g.sub(key), "must be an event name like queue_joined")
            out.append((key, self.text(value_node, g.sub(key))))
        return tuple(out)

    def _unique(self, f: _Fields, seen: dict[str, int], key: str, what: str) -> None:
        node = f.node("key")
        if key in seen:
            self.fail(node, f.sub("key"), f"duplicate {what} key {key!r} "
                                          f"(first at line {seen[key]})", "duplicate",
                      of=what, key=key, first_line=seen[key])
        seen[key] = _line(node)

    def stage(self, node: Node, path: str, seen: dict[str, int]) -> Stage:
        f = _Fields(self, node, path)
        f.allow(("key", "title", "journey_stage", "emotion_prompt", "touchpoints"))
        key = f.key()
        self._unique(f, seen, key, "stage")
        title = f.text("title")
        journey = f.str("journey_stage", choices=JOURNEY_STAGES)
        emotion_prompt = f.bool("emotion_prompt", True)
        tps = tuple(self.touchpoint(n, f"{path}.touchpoints[{i}]")
                    for i, n in enumerate(f.list("touchpoints")))
        return Stage(key=key, title=title, journey_stage=journey, touchpoints=tps,
                     emotion_prompt=emotion_prompt)

    def touchpoint(self, node: Node, path: str) -> Touchpoint:
        f = _Fields(self, node, path)
        f.allow(("key", "title", "importance", "items"))
        key = f.key()
        self._unique(f, self.tp_keys, key, "touchpoint")
        title = f.text("title")
        importance = f.int("importance", 3, lo=1, hi=5)
        items = tuple(self.item(n, f"{path}.items[{i}]")
                      for i, n in enumerate(f.list("items")))
        return Touchpoint(key=key, title=title, importance=importance, items=items)

    def item(self, node: Node, path: str) -> Item:
        f = _Fields(self, node, path)
        type_ = f.str("type", choices=item_type_names())
        f.allow(COMMON_KEYS + tuple(item_type(type_).keys), type_keys_hint())
        key = f.key()
        self._unique(f, self.item_keys, key, "item")
        return build_item(f, key, type_, self.sites)

    def choices(self, f: _Fields, name: str) -> tuple[Choice, ...]:
        nodes = f.list(name)
        if len(nodes) < 2:
            self.fail(f.node(name), f.sub(name), "needs at least 2 choices", "too_few", min=2)
        seen: dict[str, int] = {}
        out = []
        for i, node in enumerate(nodes):
            c = _Fields(self, node, f"{f.sub(name)}[{i}]")
            c.allow(("key", "label", "score", "fail"))
            key = c.key()
            self._unique(c, seen, key, "choice")
            score = c.number("score", lo=0, hi=1)
            out.append(Choice(key=key, label=c.text("label"), score=score,
                              fail=c.bool("fail", score == 0)))
        return tuple(out)
