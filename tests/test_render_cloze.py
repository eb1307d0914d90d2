"""The back of a gap card (cloze, item of an ordered list) filled in place and highlighted."""

from __future__ import annotations

import pytest

from app.decks.cards import _cloze_sides
from app.decks.render import CLOZE_COLOUR, filled_in

FILL = f'<span style="color:{CLOZE_COLOUR}; font-weight:bold">'


@pytest.mark.parametrize(("text", "number", "expected"), [
    ("The {{c1::cat}} sat on the {{c2::mat}}.", 1,
     f"<p>The {FILL}cat</span> sat on the mat.</p>"),
    ("The {{c1::cat}} sat on the {{c2::mat}}.", 2,
     f"<p>The cat sat on the {FILL}mat</span>.</p>"),
    # A hint shows on the front as "[hint]"; both gaps of the same number are filled.
    ("{{c1::Recall::metric}} and {{c1::precision}} trade off", 1,
     f"<p>{FILL}Recall</span> and {FILL}precision</span> trade off</p>"),
    # Bold text of the deck's own stays bold, not highlighted; Markdown inside a gap renders.
    ("**Note**: {{c1::[x] *it*}}!", 1,
     f"<p><strong>Note</strong>: {FILL}[x] <em>it</em></span>!</p>"),
    ("{{c1::a **b** c}} d", 1, f"<p>{FILL}a <strong>b</strong> c</span> d</p>"),
])
def test_a_cloze_back_fills_each_gap_in_place(text: str, number: int, expected: str) -> None:
    prompt, answer = _cloze_sides(text, number)
    assert "[" in prompt  # the gap as the front shows it
    assert filled_in(prompt, answer, "cloze") == expected + "\n"


def test_an_item_of_an_ordered_list_is_filled_in_the_list() -> None:
    prompt = "Steps, item 2 of 3:\n\n1. Collect\n2. **[...]**\n3. Train"
    assert filled_in(prompt, "Clean <b> & label", "enum") == (
        "<p>Steps, item 2 of 3:</p>\n<ol>\n<li>Collect</li>\n"
        f"<li>{FILL}Clean &lt;b&gt; &amp; label</span></li>\n<li>Train</li>\n</ol>\n")


def test_other_cards_and_sides_that_do_not_line_up_are_left_alone() -> None:
    assert filled_in("Explain: X", "Because.", "explain") is None
    assert filled_in("The [...] sat", "Something else entirely", "cloze") is None
    assert filled_in("No gap here", "No gap here", "enum") is None
