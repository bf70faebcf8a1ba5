"""One validated YAML mapping node of a checklist: field lookup with the line of
every key and value, and the located messages the loader raises."""

from __future__ import annotations

import math
import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_TAG = "tag:yaml.org,2002:"


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Fields:
    """A validated mapping node: field lookup with the line of every key and value."""

    def __init__(self, reader, node: Node, path: str):
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


class _Unscalar:
    """Placeholder for a mapping/list where a scalar was expected (fails every type check)."""

    def __init__(self, node: Node):
        self.node = node
