"""Importing an outline again keeps progress through a reworded heading and a moved subtree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.db import study as db
from app.db.store import Store
from app.decks.library import SHIPPED, USER, import_outline, sync_decks
from app.model import Deck
from app.outline.importer import parse_outline
from app.outline.reimport import carry_ids
from app.paths import shipped_decks_dir, user_decks_dir
from app.scheduling.scheduler import Fsrs, Grade, SchedulerSettings

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)

FLOW = """\
# ML design

## 1. Problem Formulation

- Objective
- Requirements
- Scope

## 2. Metrics

### Offline

- AUC
- Log loss

### Online

- CTR
- Revenue lift

## 3. Serving

- Batch
  Precomputed once a day.
- Online
"""


def _ids(deck: Deck) -> dict[str, str]:
    """Topic ids by title (the last of a title wins) and by "Parent > Title"."""
    ids = {topic.title: str(topic.id) for topic, _ in deck.walk()}
    ids.update({" > ".join([*(a.title for a in ancestors), topic.title]): str(topic.id)
                for topic, ancestors in deck.walk()})
    return ids


def _parse(text: str) -> Deck:
    return parse_outline(text, "flow.md")


def test_a_reworded_heading_keeps_its_id_and_its_subtree() -> None:
    old = _parse(FLOW)
    new = _parse(FLOW.replace("## 2. Metrics", "## 2. Evaluation metrics"))
    carried = carry_ids(old, new)
    before, after = _ids(old), _ids(carried.deck)
    assert after["Evaluation metrics"] == before["Metrics"]
    assert {t: after[t] for t in ("Offline", "AUC", "Online", "Revenue lift")} == \
        {t: before[t] for t in ("Offline", "AUC", "Online", "Revenue lift")}
    assert (carried.renamed, carried.moved) == (1, 0)
    assert _ids(new)["AUC"] != before["AUC"]  # without carrying, the whole subtree was new


def test_a_reworded_heading_with_most_children_changed_is_a_new_topic() -> None:
    old = _parse(FLOW)
    changed = FLOW.replace("## 1. Problem Formulation", "## 1. Framing") \
        .replace("- Objective\n- Requirements\n", "- Goal\n- Constraints\n")
    carried = carry_ids(old, _parse(changed))
    after = _ids(carried.deck)
    assert after["Framing"] not in _ids(old).values()  # 1 of 3 children left: not a rename
    # "Scope", the one title of its kind in both, is the same topic under a new parent.
    assert after["Scope"] == _ids(old)["Scope"]
    assert (carried.renamed, carried.moved) == (0, 1)


def test_a_moved_subtree_keeps_its_ids() -> None:
    old = _parse(FLOW)
    online = "### Online\n\n- CTR\n- Revenue lift\n\n"
    carried = carry_ids(old, _parse(FLOW.replace(online, "") + "\n" + online))
    before, after = _ids(old), _ids(carried.deck)
    [serving] = [t for t in carried.deck.topics if t.title == "Serving"]
    assert [c.title for c in serving.children] == ["Batch", "Online", "Online"]
    assert str(serving.children[1].id) == before["Serving > Online"]  # the item, unchanged
    assert str(serving.children[2].id) == before["Metrics > Online"]  # the moved heading
    for title in ("CTR", "Revenue lift"):
        assert after[f"Serving > Online > {title}"] == before[f"Metrics > Online > {title}"]
    assert carried.moved == 1 and carried.renamed == 0


def test_a_renamed_leaf_keeps_its_id_only_when_its_notes_are_unchanged() -> None:
    old = _parse(FLOW)
    renamed = carry_ids(old, _parse(FLOW.replace("- Batch", "- Batch scoring")))
    assert _ids(renamed.deck)["Batch scoring"] == _ids(old)["Batch"]
    bare = carry_ids(old, _parse(FLOW.replace("- Online\n", "- Live\n")))
    assert _ids(bare.deck)["Live"] not in _ids(old).values()  # no notes: nothing to tell by


def test_nothing_changes_for_an_unchanged_outline() -> None:
    old = _parse(FLOW)
    carried = carry_ids(old, _parse(FLOW))
    assert carried.deck == _parse(FLOW) and (carried.renamed, carried.moved) == (0, 0)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data: Path) -> Iterator[Store]:
    opened = Store.open(data)
    sync_decks(opened, [(shipped_decks_dir(), SHIPPED), (user_decks_dir(data), USER)], NOW)
    yield opened
    opened.close()


def test_progress_survives_a_renamed_heading_and_a_moved_subtree(
        tmp_path: Path, data: Path, store: Store) -> None:
    source = tmp_path / "flow.md"
    source.write_text(FLOW, encoding="utf-8")
    first = import_outline(store, source, data, NOW)
    fsrs = Fsrs(SchedulerSettings(fuzz=False))
    studied = []
    cards = store.conn.execute("SELECT id FROM cards WHERE deck_id = ? AND retired = 0",
                               [first.deck_id]).fetchall()
    for (card_id,) in cards:
        card = db.get_card(store, card_id)
        assert card is not None
        db.record_answer(store, card, Grade.GOOD, fsrs.answer(card.state, Grade.GOOD, NOW),
                         NOW, 3000, None)
        studied.append((card_id, db.get_card(store, card_id)))
    assert len(studied) >= 4
    online = "### Online\n\n- CTR\n- Revenue lift\n\n"
    source.write_text(FLOW.replace("## 2. Metrics", "## 2. Evaluation metrics")
                      .replace(online, "") + "\n" + online, encoding="utf-8")
    result = import_outline(store, source, data, LATER)
    assert (result.added, result.retired, result.renamed, result.moved) == (0, 0, 1, 1)
    assert result.summary() == f"0 added, {result.updated} kept (1 renamed, 1 moved), 0 retired"
    kept = [(card_id, db.get_card(store, card_id)) for card_id, _ in studied]
    assert all(after is not None and before is not None and after.state == before.state
               for (_, before), (_, after) in zip(studied, kept, strict=True))


def test_the_command_line_says_what_was_kept_renamed_and_retired(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    source = tmp_path / "flow.md"
    source.write_text(FLOW, encoding="utf-8")
    assert main(["--data-dir", str(data), "import-outline", str(source)]) == 0
    capsys.readouterr()
    source.write_text(FLOW.replace("## 2. Metrics", "## 2. Evaluation metrics")
                      .replace("- Scope\n", ""), encoding="utf-8")
    assert main(["--data-dir", str(data), "import-outline", str(source)]) == 0
    out = capsys.readouterr().out
    assert "(0 added, 13 kept (1 renamed), 1 retired)" in out, out
