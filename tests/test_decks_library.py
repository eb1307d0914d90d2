"""Deck files on disk kept in line with the store, and the shipped deck as a browsable tree."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from shared import STEP_LABELS

from app.db.store import Store
from app.decks.library import SHIPPED, USER, load_stored_deck, sync_decks
from app.decks.tree import TreeNode, build_tree, find
from app.errors import DeckError
from app.paths import shipped_decks_dir

NOW = datetime(2026, 1, 2, tzinfo=UTC)
LATER = datetime(2026, 1, 3, tzinfo=UTC)
PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


@pytest.fixture
def store() -> Iterator[Store]:
    memory = Store.in_memory()
    yield memory
    memory.close()


def deck_text(deck_id: str, title: str = "A deck", topics: str = "") -> str:
    topics = topics or (
        "  - id: first\n"
        "    title: First topic\n"
        "    notes: Some notes.\n"
        "    children:\n"
        "      - id: first-child\n"
        "        title: Child of the first\n"
        "  - id: second\n"
        "    title: Second topic\n"
    )
    return f"deck:\n  id: {deck_id}\n  title: {title}\n  version: 1\ntopics:\n{topics}"


BAD_DECK = (
    "deck:\n"
    "  id: broken\n"
    "  title: Broken\n"
    "  version: 1\n"
    "topics:\n"
    "  - id: one\n"
    "    title: One\n"
    "    chidren: []\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sync_parses_changed_files_and_skips_unchanged_ones(tmp_path: Path,
                                                           store: Store) -> None:
    folder = tmp_path / "decks"
    write(folder, "alpha.yaml", deck_text("alpha", "Alpha"))
    beta = write(folder, "beta.yml", deck_text("beta", "Beta"))
    write(folder, "notes.txt", "not a deck, not looked at")

    first = sync_decks(store, [(folder, USER)], NOW)
    assert first.parsed == 2
    assert first.problems == ()
    assert sorted(first.decks) == ["alpha", "beta"]
    assert [d.title for d in store.decks()] == ["Alpha", "Beta"]

    second = sync_decks(store, [(folder, USER)], LATER)
    assert second.parsed == 0
    assert sorted(second.decks) == ["alpha", "beta"]

    beta.write_text(deck_text("beta", "Beta retitled"), encoding="utf-8")
    third = sync_decks(store, [(folder, USER)], LATER)
    assert third.parsed == 1
    assert [d.title for d in store.decks()] == ["Alpha", "Beta retitled"]


def test_a_stored_deck_is_parsed_again_when_its_file_changes(tmp_path: Path,
                                                            store: Store) -> None:
    folder = tmp_path / "decks"
    path = write(folder, "alpha.yaml", deck_text("alpha", "Alpha"))
    sync_decks(store, [(folder, USER)], NOW)
    first = load_stored_deck(store, "alpha")
    assert first.title == "Alpha"
    assert load_stored_deck(store, "alpha") is first  # unchanged: not parsed again

    path.write_text(deck_text("alpha", "Alpha edited"), encoding="utf-8")  # app running
    assert load_stored_deck(store, "alpha").title == "Alpha edited"
    path.write_text(deck_text("alpha", "Alpha"), encoding="utf-8")  # and back again
    assert load_stored_deck(store, "alpha").title == "Alpha"

    path.unlink()
    with pytest.raises(DeckError, match="cannot read the file"):
        load_stored_deck(store, "alpha")


def test_bad_deck_is_reported_with_locations_and_others_still_sync(tmp_path: Path,
                                                                  store: Store) -> None:
    folder = tmp_path / "decks"
    bad = write(folder, "a-broken.yaml", BAD_DECK)
    write(folder, "b-good.yaml", deck_text("good", "Good"))

    report = sync_decks(store, [(folder, USER)], NOW)

    assert report.decks == ("good",)
    assert report.parsed == 2
    assert len(report.problems) == 1
    line = str(report.problems[0])
    match = PROBLEM_LINE.match(line)
    assert match is not None, line
    assert (match["path"], match["line"], match["col"]) == (str(bad), "8", "5")
    assert "chidren" in match["message"] and "children" in match["message"]
    assert [d.id for d in store.decks()] == ["good"]


def test_bad_file_keeps_the_last_good_copy_of_its_deck(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "decks"
    path = write(folder, "mine.yaml", deck_text("mine", "Mine"))
    sync_decks(store, [(folder, USER)], NOW)
    before = store.topics("mine")

    path.write_text(deck_text("mine", "Mine") + "  - id: [oops\n", encoding="utf-8")
    for _ in range(2):  # and it stays visible on the next start too
        report = sync_decks(store, [(folder, USER)], LATER)
        assert report.decks == ("mine",)
        assert [str(p.path) for p in report.problems] == [str(path)]
        assert PROBLEM_LINE.match(str(report.problems[0]))
        assert [(d.id, d.title, d.missing) for d in store.decks()] == [("mine", "Mine", False)]
        assert store.topics("mine") == before

    # Fixed again: synced, with the edit applied.
    path.write_text(deck_text("mine", "Mine, fixed"), encoding="utf-8")
    report = sync_decks(store, [(folder, USER)], LATER)
    assert report.problems == ()
    assert [d.title for d in store.decks()] == ["Mine, fixed"]


def test_removed_file_marks_its_deck_missing_without_deleting_data(tmp_path: Path,
                                                                  store: Store) -> None:
    folder = tmp_path / "decks"
    gone = write(folder, "gone.yaml", deck_text("gone", "Gone"))
    write(folder, "stays.yaml", deck_text("stays", "Stays"))
    sync_decks(store, [(folder, USER)], NOW)
    kept = store.topics("gone")
    text = gone.read_text(encoding="utf-8")

    gone.unlink()
    report = sync_decks(store, [(folder, USER)], LATER)

    assert report.decks == ("stays",)
    assert [d.id for d in store.decks()] == ["stays"]
    assert [(d.id, d.missing) for d in store.decks(include_missing=True)] == \
        [("gone", True), ("stays", False)]
    assert store.topics("gone") == kept

    gone.write_text(text, encoding="utf-8")  # put back unchanged: visible again, not re-parsed
    report = sync_decks(store, [(folder, USER)], LATER)
    assert report.parsed == 0
    assert [d.id for d in store.decks()] == ["gone", "stays"]


def test_a_missing_folder_hides_every_deck_from_it(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "decks"
    write(folder, "one.yaml", deck_text("one"))
    sync_decks(store, [(folder, USER)], NOW)
    shutil.rmtree(folder)

    report = sync_decks(store, [(folder, USER)], LATER)

    assert report == type(report)(decks=(), problems=(), parsed=0)
    assert store.decks() == []
    assert [d.id for d in store.decks(include_missing=True)] == ["one"]


def test_two_files_with_the_same_deck_id_report_the_second(tmp_path: Path,
                                                           store: Store) -> None:
    folder = tmp_path / "decks"
    first = write(folder, "a.yaml", deck_text("same", "From a"))
    second = write(folder, "b.yaml", deck_text("same", "From b"))

    for when in (NOW, LATER):  # the same answer on every start
        report = sync_decks(store, [(folder, USER)], when)
        assert report.decks == ("same",)
        [problem] = report.problems
        assert problem.path == str(second)
        assert "same" in problem.message and str(first) in problem.message
        assert PROBLEM_LINE.match(str(problem))
        assert [(d.title, d.path) for d in store.decks()] == [("From a", str(first))]


def test_a_user_deck_cannot_take_the_shipped_deck_id(tmp_path: Path, store: Store) -> None:
    shipped = write(tmp_path / "shipped", "main.yaml", deck_text("main", "Shipped"))
    user = write(tmp_path / "user", "main.yaml", deck_text("main", "User copy"))

    report = sync_decks(store, [(shipped.parent, SHIPPED), (user.parent, USER)], NOW)

    assert [p.path for p in report.problems] == [str(user)]
    assert [(d.title, d.origin) for d in store.decks()] == [("Shipped", SHIPPED)]


def test_a_file_whose_deck_id_changed_back_is_tracked_by_its_current_deck(
        tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "decks"
    path = write(folder, "d.yaml", deck_text("old", "Old id"))
    sync_decks(store, [(folder, USER)], NOW)
    path.write_text(deck_text("new", "New id"), encoding="utf-8")
    sync_decks(store, [(folder, USER)], NOW)
    path.write_text(deck_text("old", "Old id"), encoding="utf-8")
    assert sync_decks(store, [(folder, USER)], LATER).decks == ("old",)

    # Both deck rows name the same file; the one visible now is the one it stands for.
    assert sync_decks(store, [(folder, USER)], LATER).parsed == 0
    path.write_text("deck: [broken\n", encoding="utf-8")
    report = sync_decks(store, [(folder, USER)], LATER)
    assert report.decks == ("old",)
    assert [d.id for d in store.decks()] == ["old"]


def test_edited_deck_retires_removed_topics(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "decks"
    path = write(folder, "d.yaml", deck_text("d"))
    sync_decks(store, [(folder, USER)], NOW)

    path.write_text(deck_text("d", topics="  - id: second\n    title: Second topic\n"),
                    encoding="utf-8")
    sync_decks(store, [(folder, USER)], LATER)

    assert [t.id for t in store.topics("d")] == ["second"]
    retired = {t.id for t in store.topics("d", include_retired=True) if t.retired}
    assert retired == {"first", "first-child"}


# --- the shipped deck as a tree ------------------------------------------------------------------

STEPS = STEP_LABELS


@pytest.fixture
def shipped_roots(tmp_path: Path) -> Iterator[list[TreeNode]]:
    opened = Store.open(tmp_path / "data")
    report = sync_decks(opened, [(shipped_decks_dir(), SHIPPED)], NOW)
    assert report.problems == ()
    assert report.decks == ("ml-system-design",)
    yield build_tree(opened)
    opened.close()


def test_shipped_deck_tree_starts_with_the_nine_steps(shipped_roots: list[TreeNode]) -> None:
    [root] = shipped_roots
    assert (root.kind, root.key, root.title) == \
        ("deck", "ml-system-design", "Machine Learning System Design")
    assert root.source_credit.startswith("Source: [Machine Learning System Design")
    assert [child.label for child in root.children[:9]] == STEPS
    assert [child.step for child in root.children[:9]] == list(range(1, 10))
    assert all(child.step is None for child in root.children[9:])
    assert [child.row for child in root.children] == list(range(len(root.children)))
    assert len(root.walk()) > 300


def test_find_and_breadcrumb(shipped_roots: list[TreeNode]) -> None:
    [root] = shipped_roots
    assert find(shipped_roots, "ml-system-design") is root
    node = find(shipped_roots, "ml-system-design/s1-scope-scale")
    assert node is not None
    assert node.title == "Scope (features needed), scale, and personalization"
    assert node.breadcrumb() == ("Step 1 Problem Formulation > Requirements > "
                                 "Scope (features needed), scale, and personalization")
    assert [a.key for a in node.ancestors()] == [
        "ml-system-design", "ml-system-design/s1", "ml-system-design/s1-requirements"]
    step = find(shipped_roots, "ml-system-design/s2")
    assert step is not None and step.breadcrumb() == STEPS[1]
    assert find(shipped_roots, "ml-system-design/no-such-topic") is None
    assert find(shipped_roots, "no-such-deck") is None
    assert find(shipped_roots, "no-such-deck/s1") is None
    # Every node is found again by its key.
    assert all(find(shipped_roots, n.key) is n for n in root.walk())


def test_matches_is_case_insensitive_over_title_and_notes(
        shipped_roots: list[TreeNode]) -> None:
    node = find(shipped_roots, "ml-system-design/s1-clarifying-questions")
    assert node is not None
    assert node.matches("clarifying QUESTIONS")
    assert node.matches("PRODUCT SENSE")  # only in its notes
    assert node.matches("")
    assert not node.matches("zzz-not-there")
    step = find(shipped_roots, "ml-system-design/s1")
    assert step is not None and step.matches("step 1 problem")  # the label counts as its title
    hits = [n for n in shipped_roots[0].walk() if n.matches("CANARY")]
    assert hits and all("canary" in f"{n.title}\n{n.notes}".lower() for n in hits)
