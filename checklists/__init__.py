"""Customer-journey checklists: YAML format, validation, answers and visit scoring.

See ``checklists/README.md`` for the file format and the scoring rules.
"""

from .answers import AnswerError, item_failed, item_score, normalize as normalize_answer, \
    parse_answer
from .library import LIBRARY_DIR, library_paths, load_library
from .loader import ChecklistError, load_checklist, load_checklist_text
from .model import (ITEM_TYPES, JOURNEY_STAGES, KINDS, MODES, Checklist, Choice, Item, Stage,
                    Text, Touchpoint)
from .scoring import Missing, VisitScore, missing_requirements, score_visit

__all__ = [
    "AnswerError", "Checklist", "ChecklistError", "Choice", "ITEM_TYPES", "Item",
    "JOURNEY_STAGES", "KINDS", "LIBRARY_DIR", "MODES", "Missing", "Stage", "Text", "Touchpoint",
    "VisitScore", "item_failed", "item_score", "library_paths", "load_checklist",
    "load_checklist_text", "load_library", "missing_requirements", "normalize_answer",
    "parse_answer", "score_visit",
]
