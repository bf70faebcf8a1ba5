"""Reading scenario files: YAML composed node by node so every key path keeps its line.

A planner edits these by hand, so every mistake must point at the line and
the key (``shop.yaml:12: stations[0].servers: must be an integer >= 1``).
We compose the YAML with PyYAML's node API to keep a line per key path,
convert it to plain Python, and validate the plain structure; the same
validator serves ``scenario_from_dict`` (no lines there, just the path).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from .model import Scenario, ScenarioError
from .validate import _Ctx, _validate

__all__ = ["load_scenario", "scenario_from_dict", "scenario_to_yaml"]


def _node_to_python(node, loader, path, lines, ctx):
    """Plain Python from a composed node, recording the line of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                ctx.lines = lines
                ctx.err(path, "keys must be plain text")
            key = loader.construct_object(knode, deep=True)
            if key in out:
                lines[path + (key,)] = knode.start_mark.line + 1
                ctx.lines = lines
                ctx.err(path + (key,), "duplicate key")
            lines[path + (key,)] = knode.start_mark.line + 1
            out[key] = _node_to_python(vnode, loader, path + (key,), lines, ctx)
            lines[path + (key,)] = knode.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_python(v, loader, path + (i,), lines, ctx) for i, v in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_scenario(path) -> Scenario:
    """Read and validate a scenario file; every problem is a one-line ScenarioError."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read file ({type(exc).__name__})") from None
    ctx = _Ctx(source)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ScenarioError(f"{source}: the file is empty")
            lines: dict = {}
            data = _node_to_python(node, loader, (), lines, ctx)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ScenarioError(f"{source}{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: YAML error: {str(exc).splitlines()[0]}") from None
    return _validate(data, _Ctx(source, lines))


def scenario_from_dict(d: dict, source: str = "<scenario>") -> Scenario:
    """Validate a plain dict (e.g. from a web form) into a Scenario."""
    return _validate(copy.deepcopy(d), _Ctx(source))


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text that loads back to an equal Scenario."""
    return yaml.safe_dump(scenario.spec, sort_keys=False, allow_unicode=True)
