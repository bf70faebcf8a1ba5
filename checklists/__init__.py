"""Customer-journey checklists: YAML format, validation, answers and visit scoring.

See ``checklists/README.md`` for the file format and the scoring rules.
"""

from .answers import display_answer, item_failed, item_score, normalize as normalize_answer, \
    parse_answer
from .errors import AnswerError, ChecklistError
from .library import LIBRARY_DIR, library_paths, load_library
from .loader import load_checklist, load_checklist_text
from .model import (JOURNEY_STAGES, KINDS, MODES, Checklist, Choice, ImportNote, Item, Stage,
                    Text, Touchpoint)
from .types import (ITEM_TYPES, ItemType, Key, item_type, item_type_names, register_item_type,
                    unregister_item_type)
from .relevance import (ExpressionError, check_constraint, constraint_violations, evaluate,
                        is_relevant, parse_expression, relevant_items, relevant_keys)
from .scoring import ItemResult, Missing, VisitScore, item_results, missing_requirements, score_visit

__all__ = [
    "AnswerError", "Checklist", "ChecklistError", "Choice", "ITEM_TYPES", "Item", "ItemType", "Key",
    "display_answer", "item_type", "item_type_names", "register_item_type", "unregister_item_type",
    "JOURNEY_STAGES", "KINDS", "LIBRARY_DIR", "MODES", "Missing", "Stage", "Text", "Touchpoint",
    "VisitScore", "item_failed", "item_score", "library_paths", "load_checklist",
    "load_checklist_text", "load_library", "missing_requirements", "normalize_answer",
    "parse_answer", "score_visit", "ExpressionError", "check_constraint",
    "constraint_violations", "evaluate", "is_relevant", "parse_expression", "relevant_items",
    "relevant_keys", "ImportNote", "ItemResult", "item_results",
]
