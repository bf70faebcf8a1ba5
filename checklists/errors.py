"""The two errors of the package, each with a code and params so the app can translate.

``message`` stays one English line (located for checklists) for logs and the CLI; the
app looks up ``code`` in its catalogue and fills in ``params`` instead of parsing text.
"""

from __future__ import annotations


class AnswerError(ValueError):
    """An answer that cannot be used; ``message`` is short, user-facing English.

    ``code`` names the rule (``yes_no``, ``number_range``, ``constraint``...), ``params``
    holds what the message mentions (``{"low": 0, "high": 50}``).
    """

    def __init__(self, message: str, code: str = "invalid", params: dict | None = None):
        self.message = message
        self.code = code
        self.params = dict(params or {})
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class ChecklistError(Exception):
    """A checklist that cannot be loaded, located to one line.

    YAML: ``file:line: path: what``; spreadsheets: ``file:sheet:row: column: what``.
    ``code``/``params`` say what is wrong without the English words.
    """

    def __init__(self, source: str, line: int, path: str, what: str, *,
                 code: str = "invalid", params: dict | None = None, sheet: str | None = None):
        self.source = source
        self.line = line
        self.path = path
        self.sheet = sheet
        self.what = " ".join(str(what).split())  # one line, whatever the parser said
        self.code = code
        self.params = dict(params or {})
        where = f"{source}:{sheet}:{line}" if sheet else f"{source}:{line}"
        self.message = f"{where}: {path}: {self.what}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
