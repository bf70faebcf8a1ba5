"""A deeply nested checklist YAML gets the located one-line error, not a RecursionError."""

import pytest

from checklists import ChecklistError
from checklists.loader import MAX_DEPTH, load_checklist_text


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 20000])
def test_deep_nesting_is_one_located_line(opener, closer, depth):
    text = "id: deep\nversion: 1\nstages: " + opener * depth + closer * depth + "\n"
    with pytest.raises(ChecklistError) as caught:
        load_checklist_text(text, "deep.yaml")
    message = str(caught.value)
    assert message.startswith("deep.yaml:3: yaml:") and "nested more than" in message
    assert "\n" not in message and caught.value.code == "too_deep"


def test_deep_nesting_over_many_lines_names_the_line_where_it_went_too_deep():
    text = "id: deep\nstages:\n" + "".join("  " * i + "-\n" for i in range(MAX_DEPTH + 5))
    with pytest.raises(ChecklistError) as caught:
        load_checklist_text(text, "deep.yaml")
    assert caught.value.line == MAX_DEPTH + 2
