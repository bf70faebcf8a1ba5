"""Load and validate checklist YAML, keeping a line number for every path.

Validation walks PyYAML's node graph (``yaml.compose``) rather than the constructed
Python objects, so every error can name the file, the line and the field path::

    krispy.yaml:41: stages[2].touchpoints[0].items[3].weight: must be > 0
"""

from __future__ import annotations

import hashlib
import math
import os
import re

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .build import COMMON_KEYS, build_item, type_keys_hint
from .errors import ChecklistError
from .relevance import check_expressions
from .model import JOURNEY_STAGES, KINDS, Checklist, Choice, Item, Stage, Text, Touchpoint
from .types import item_type, item_type_names

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
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


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Fields:
    """A validated mapping node: field lookup with the line of every key and value."""

    def __init__(self, reader: "_Reader", node: Node, path: str):
        self.reader, self.mnode, self.path = reader, node, path
        if not isinstance(node, MappingNode):
            reader.fail(node, path or "(document)", f"must be a mapping, not {_kind(node)}")
        self.values: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = reader.scalar(key_node)
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, ScalarNode) else "?"
                reader.fail(key_node, _join(path, str(shown)), "keys must be strings", "key_not_string")
            if key in self.values:
                first = _line(self.values[key][0])
                reader.fail(key_node, _join(path, key), f"duplicate key (first at line {first})",
                            "duplicate_key", first_line=first)
            self.values[key] = (key_node, value_node)

    def allow(self, allowed, hint: dict[str, str] | None = None) -> None:
        for key, (key_node, _) in self.values.items():
            if key not in allowed:
                if hint and key in hint:
                    self.reader.fail(key_node, _join(self.path, key), hint[key], "wrong_type_key")
                self.reader.fail(key_node, _join(self.path, key),
                                 f"unknown key (allowed: {', '.join(allowed)})", "unknown_key",
                                 allowed=list(allowed))

    def has(self, key: str) -> bool:
        return key in self.values

    def node(self, key: str) -> Node:
        if key not in self.values:
            self.reader.fail(self.mnode, _join(self.path, key), "missing (required)", "missing")
        return self.values[key][1]

    def sub(self, key: str) -> str:
        return _join(self.path, key)

    # typed getters --------------------------------------------------------
    def str(self, key, default=..., choices=None, pattern=None):
        if not self.has(key):
            return self._default(key, default)
        node = self.values[key][1]
        value = self.reader.scalar(node)
        if not isinstance(value, str):
            hint = ""
            if isinstance(value, bool) and isinstance(node, ScalarNode):
                hint = f" (YAML reads {node.value!r} as {str(value).lower()}; quote it)"
            self.reader.fail(node, self.sub(key), f"must be a string{hint}", "not_string")
        if not value.strip():
            self.reader.fail(node, self.sub(key), "must not be empty", "empty")
        if choices is not None and value not in choices:
            self.reader.fail(node, self.sub(key),
                             f"must be one of {', '.join(choices)} (got {value!r})", "not_one_of",
                             allowed=list(choices), got=value)
        if pattern is not None and not pattern.match(value):
            self.reader.fail(node, self.sub(key),
                             f"{value!r} is not a valid key (letters, digits, _ and -, "
                             f"at most 64, starting with a letter or digit)", "bad_key", got=value)
        return value

    def key(self, key="key"):
        return self.str(key, pattern=_KEY_RE)

    def int(self, key, default=..., lo=None, hi=None):
        if not self.has(key):
            return self._default(key, default)
        node = self.values[key][1]
        value = self.reader.scalar(node)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.reader.fail(node, self.sub(key), f"must be a whole number{_got(node)}",
                             "not_whole_number")
        self._range(node, key, value, lo, hi)
        return value

    def number(self, key, default=..., lo=None, hi=None, gt=None):
        if not self.has(key):
            return self._default(key, default)
        node = self.values[key][1]
        value = self.reader.scalar(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            self.reader.fail(node, self.sub(key), f"must be a number{_got(node)}", "not_number")
        if gt is not None and not value > gt:
            self.reader.fail(node, self.sub(key), f"must be > {gt:g}", "not_above", gt=gt)
        self._range(node, key, value, lo, hi)
        return float(value)

    def bool(self, key, default=...):
        if not self.has(key):
            return self._default(key, default)
        node = self.values[key][1]
        value = self.reader.scalar(node)
        if not isinstance(value, bool):
            self.reader.fail(node, self.sub(key), f"must be true or false{_got(node)}", "not_bool")
        return value

    def list(self, key, default=..., nonempty=True):
        if not self.has(key):
            return self._default(key, default)
        node = self.values[key][1]
        if not isinstance(node, SequenceNode):
            self.reader.fail(node, self.sub(key), f"must be a list, not {_kind(node)}", "not_list")
        if nonempty and not node.value:
            self.reader.fail(node, self.sub(key), "must not be empty", "empty")
        return node.value

    def text(self, key, default=...):
        if not self.has(key):
            return self._default(key, default)
        return self.reader.text(self.values[key][1], self.sub(key))

    def names(self, key, default=..., min_len=0):
        """A list of event-like names (``timer_events: [queue_joined, greeted]``)."""
        if not self.has(key):
            return self._default(key, default)
        nodes = self.list(key)
        path = self.sub(key)
        if len(nodes) < min_len:
            self.reader.fail(self.node(key), path, f"needs at least {min_len} events "
                                                   f"(start and stop)", "too_few", min=min_len)
        out = []
        for i, node in enumerate(nodes):
            value = self.reader.scalar(node)
            if not isinstance(value, str) or not _KEY_RE.match(value):
                self.reader.fail(node, f"{path}[{i}]", f"must be an event name like "
                                                       f"queue_joined{_got(node)}", "bad_name")
            if value in out:
                self.reader.fail(node, f"{path}[{i}]", f"duplicate event {value!r}",
                                 "duplicate", got=value)
            out.append(value)
        return tuple(out)

    def choices(self, key):
        return self.reader.choices(self, key)

    def fail_key(self, key, what, code="invalid", **params):
        node = self.values[key][1] if key in self.values else self.mnode
        self.reader.fail(node, self.sub(key), what, code, **params)

    def _default(self, key, default):
        if default is ...:
            self.reader.fail(self.mnode, self.sub(key), "missing (required)", "missing")
        return default

    def _range(self, node, key, value, lo, hi):
        if lo is not None and hi is not None and not lo <= value <= hi:
            self.reader.fail(node, self.sub(key), f"must be between {lo:g} and {hi:g} "
                                                  f"(got {value:g})", "out_of_range",
                             low=lo, high=hi, got=value)
        if lo is not None and value < lo:
            self.reader.fail(node, self.sub(key), f"must be >= {lo:g} (got {value:g})",
                             "below_min", low=lo, got=value)
        if hi is not None and value > hi:
            self.reader.fail(node, self.sub(key), f"must be <= {hi:g} (got {value:g})",
                             "above_max", high=hi, got=value)


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _TAG + "null":
        return "empty"
    return f"the scalar {node.value!r}"


def _got(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return f" (got {node.value!r})" if node.value != "" else " (got nothing)"
    return f" (got {_kind(node)})"


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


class _Unscalar:
    """Placeholder for a mapping/list where a scalar was expected (fails every type check)."""

    def __init__(self, node: Node):
        self.node = node
