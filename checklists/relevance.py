"""Skip logic and constraints: a small, safe parser (never eval) for the XLSForm subset.

Grammar::

    expr    := and ('or' and)*
    and     := cmp ('and' cmp)*
    cmp     := operand (('=' | '!=' | '<' | '<=' | '>' | '>=') operand)?
    operand := '(' expr ')' | 'not' '(' expr ')' | 'selected' '(' value ',' value ')'
             | 'true' '(' ')' | 'false' '(' ')' | value
    value   := '${' name '}' | '.' | number | 'string' | "string"

Semantics (shared with the browser's evaluator through ``relevance_cases.json``):

* An item is *unanswered* when its answer is missing, ``None``, ``""`` or ``[]``.
* Any comparison with an unanswered operand is false (``!=`` too); so ``not(...)`` of it
  is true. ``selected()`` of an unanswered item is false.
* ``=``/``!=`` compare as numbers when both sides read as numbers, else as text;
  ``<``, ``<=``, ``>``, ``>=`` compare numbers only (false when a side is not a number).
* A list answer (multi_choice) is its keys joined by spaces, as ODK stores it;
  ``selected(${m}, 'x')`` is true when ``'x'`` is one of them.
* A bare value is true when answered and not the number 0.
* ``.`` is the item's own answer, allowed in constraints only.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from .types.base import fmt_number

_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{\s*(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]*)\s*\})
  | (?P<num>-?(?:\d+(?:\.\d*)?|\.\d+))
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\(|\)|,)
  | (?P<dot>\.)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.VERBOSE)
_WORDS = {"and", "or", "not", "selected", "true", "false"}


class ExpressionError(ValueError):
    """An expression that does not parse; ``pos`` is the 0-based character offset."""

    def __init__(self, message: str, pos: int, code: str = "expression_syntax"):
        self.message, self.pos, self.code = message, pos, code
        super().__init__(message)


def _tokens(src: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(src):
        if src[pos:].strip() == "":
            break
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            start = len(src) - len(src[pos:].lstrip())
            raise ExpressionError(f"unexpected {src[start:start + 10]!r} at character "
                                  f"{start + 1}", start)
        kind = m.lastgroup if m.lastgroup != "name" else "ref"
        start = m.start(kind)
        if kind == "ref":
            out.append(("ref", m.group("name"), start))
        elif kind == "word":
            word = m.group("word")
            if word not in _WORDS:
                raise ExpressionError(f"unknown word {word!r} at character {start + 1} (write "
                                      f"item names as ${{{word}}})", start, "expression_word")
            out.append((word, word, start))
        else:
            out.append((kind, m.group(kind), start))
        pos = m.end()
    out.append(("end", "", len(src)))
    return out


_SHOWN = {"ref": "${item}", "num": "a number", "str": "'text'", "dot": "'.'",
          "end": "the end"}


class _Parser:
    def __init__(self, src: str):
        self.toks, self.i = _tokens(src), 0

    def peek(self, *kinds_or_ops) -> bool:
        kind, text, _ = self.toks[self.i]
        return kind in kinds_or_ops or (kind == "op" and text in kinds_or_ops)

    def take(self, *expected):
        tok = self.toks[self.i]
        if expected and not self.peek(*expected):
            shown = "the end" if tok[0] == "end" else repr(tok[1])
            wanted = " or ".join(_SHOWN.get(e, repr(e)) for e in expected)
            raise ExpressionError(f"expected {wanted} but found "
                                  f"{shown} at character {tok[2] + 1}", tok[2])
        self.i += 1
        return tok

    def parse(self):
        node = self.expr()
        self.take("end")
        return node

    def expr(self):
        node = self.conj()
        while self.peek("or"):
            self.take()
            node = ("or", node, self.conj())
        return node

    def conj(self):
        node = self.cmp()
        while self.peek("and"):
            self.take()
            node = ("and", node, self.cmp())
        return node

    def cmp(self):
        node = self.operand()
        if self.peek("=", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            node = ("cmp", op, node, self.operand())
        return node

    def operand(self):
        if self.peek("("):
            self.take()
            node = self.expr()
            self.take(")")
            return node
        if self.peek("not", "selected", "true", "false"):
            word = self.take()[0]
            self.take("(")
            if word in ("true", "false"):
                self.take(")")
                return ("bool", word == "true")
            if word == "not":
                node = ("not", self.expr())
            else:
                a = self.value()
                self.take(",")
                node = ("selected", a, self.value())
            self.take(")")
            return node
        return self.value()

    def value(self):
        kind, text, _ = self.take("ref", "num", "str", "dot")
        if kind == "ref":
            return ("ref", text)
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text[1:-1])
        return ("self",)


@lru_cache(maxsize=4096)
def parse_expression(src: str):
    """The AST (nested tuples) of an expression.

    :raise ExpressionError: syntax error, with the character position.
    """
    return _Parser(src).parse()


def references(ast) -> set[str]:
    """Item names an expression reads (``${name}``)."""
    if ast[0] == "ref":
        return {ast[1]}
    out: set[str] = set()
    for part in ast[1:]:
        if isinstance(part, tuple):
            out |= references(part)
    return out


def uses_self(ast) -> bool:
    return ast[0] == "self" or any(isinstance(p, tuple) and uses_self(p) for p in ast[1:])


def _unanswered(v) -> bool:
    return v is None or v == "" or (isinstance(v, (list, tuple)) and not v)


def _as_number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str):
        try:
            x = float(v.strip())
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def _as_text(v) -> str:
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return fmt_number(v)
    return str(v)


def _value(ast, answers, own):
    kind = ast[0]
    if kind == "ref":
        return answers.get(ast[1])
    if kind == "self":
        return own
    if kind in ("num", "str"):
        return ast[1]
    return evaluate_ast(ast, answers, own)


def _compare(op, a, b) -> bool:
    if _unanswered(a) or _unanswered(b):
        return False
    x, y = _as_number(a), _as_number(b)
    if op in ("=", "!="):
        same = x == y if x is not None and y is not None else _as_text(a) == _as_text(b)
        return same if op == "=" else not same
    if x is None or y is None:
        return False
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def evaluate_ast(ast, answers, own=None) -> bool:
    kind = ast[0]
    if kind == "or":
        return evaluate_ast(ast[1], answers, own) or evaluate_ast(ast[2], answers, own)
    if kind == "and":
        return evaluate_ast(ast[1], answers, own) and evaluate_ast(ast[2], answers, own)
    if kind == "not":
        return not evaluate_ast(ast[1], answers, own)
    if kind == "bool":
        return ast[1]
    if kind == "cmp":
        return _compare(ast[1], _value(ast[2], answers, own), _value(ast[3], answers, own))
    if kind == "selected":
        v, x = _value(ast[1], answers, own), _value(ast[2], answers, own)
        if _unanswered(v) or _unanswered(x):
            return False
        keys = list(v) if isinstance(v, (list, tuple)) else _as_text(v).split()
        return _as_text(x) in [_as_text(k) for k in keys]
    v = _value(ast, answers, own)  # a bare value
    return not _unanswered(v) and _as_number(v) != 0


def evaluate(src: str, answers, value=None) -> bool:
    """Evaluate an expression over ``answers`` (item name -> value); ``.`` is ``value``."""
    return evaluate_ast(parse_expression(src), answers, value)


# --- items and checklists -----------------------------------------------------------------

def is_relevant(item, answers, checklist=None) -> bool:
    """Whether ``item`` is asked, given the answers so far.

    With ``checklist``, answers of items that are themselves not relevant read as
    unanswered (as in ODK, where a hidden question's value is ignored).
    """
    if checklist is not None:
        return item.key in relevant_keys(checklist, answers)
    return not item.relevant or evaluate(item.relevant, answers)


def relevant_keys(checklist, answers) -> set[str]:
    """Keys of the items asked, given the answers (cascading, see ``is_relevant``)."""
    items = list(checklist.items())
    if not any(i.relevant for i in items):
        return {i.key for i in items}
    by_key = {i.key: i for i in items}
    memo: dict[str, bool] = {}

    def relevant(key: str, busy: frozenset) -> bool:
        if key in memo:
            return memo[key]
        item = by_key[key]
        if not item.relevant or key in busy:  # a cycle (refused at load) counts as asked
            return True
        ast = parse_expression(item.relevant)
        seen = {ref: (answers.get(ref) if ref not in by_key or relevant(ref, busy | {key})
                      else None) for ref in references(ast)}
        memo[key] = evaluate_ast(ast, seen)
        return memo[key]

    return {i.key for i in items if relevant(i.key, frozenset())}


def relevant_items(checklist, answers) -> list:
    """The items asked, in checklist order."""
    keys = relevant_keys(checklist, answers)
    return [i for i in checklist.items() if i.key in keys]


def check_constraint(item, value, answers=None) -> None:
    """Raise when an answered item breaks its ``constraint``.

    Without ``answers`` only constraints on the item's own value (``.``) are checked.

    :raise AnswerError: code ``constraint``, message the item's constraint_message (en).
    """
    from .errors import AnswerError
    if not item.constraint or _unanswered(value):
        return
    ast = parse_expression(item.constraint)
    if answers is None and references(ast) - {item.key}:
        return
    seen = dict(answers or {})
    seen[item.key] = value
    if not evaluate_ast(ast, seen, value):
        message = item.constraint_message.get("en") if item.constraint_message else \
            "This answer is not allowed here."
        raise AnswerError(message, "constraint", {"item": item.key, "constraint": item.constraint})


def constraint_violations(checklist, answers) -> list[tuple[str, object]]:
    """(item key, AnswerError) for each relevant answered item breaking its constraint."""
    from .errors import AnswerError
    keys = relevant_keys(checklist, answers)
    out = []
    for item in checklist.items():
        if item.key in keys and item.constraint:
            try:
                check_constraint(item, answers.get(item.key), answers)
            except AnswerError as exc:
                out.append((item.key, exc))
    return out


def check_expressions(checklist, sites: dict) -> None:
    """Refuse unknown item names, ``.`` in relevant, and relevance cycles.

    ``sites[(item_key, field)]`` is the reader's ``fail(what, code, **params)`` for that
    field, so errors point at the file's own line or cell.
    """
    keys = {i.key for i in checklist.items()}
    graph: dict[str, set[str]] = {}
    for item in checklist.items():
        for field in ("relevant", "constraint"):
            src = getattr(item, field)
            if not src:
                continue
            fail = sites[(item.key, field)]
            ast = parse_expression(src)  # syntax was checked when the field was read
            for ref in sorted(references(ast) - keys):
                fail(f"unknown item ${{{ref}}} in {src!r}", "unknown_item", name=ref)
            if field == "relevant":
                if uses_self(ast):
                    fail("'.' (this item) is only allowed in a constraint", "self_in_relevant")
                graph[item.key] = references(ast)
    state: dict[str, int] = {}
    for start in graph:
        path: list[str] = []

        def visit(key):
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                loop = path[path.index(key):] + [key]
                sites[(loop[0], "relevant")](f"relevance cycle: {' -> '.join(loop)}",
                                             "relevance_cycle", cycle=loop)
            state[key] = 1
            path.append(key)
            for ref in sorted(graph.get(key, ())):
                visit(ref)
            path.pop()
            state[key] = 2

        visit(start)
