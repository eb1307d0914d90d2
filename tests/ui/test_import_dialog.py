"""File > Import outline: the import runs off the GUI thread and the tree shows the new deck."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from app.decks.lint import Finding
from app.paths import user_decks_dir
from app.ui.dialogs.import_outline import ImportDialog, describe_import
from app.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

OUTLINE = """\
# Caching for interviews

## Cache strategies
1. Cache-aside: the app reads the cache, then the database on a miss.
2. Write-through: writes go to the cache and the database together.
3. Write-back: writes go to the cache; the database is updated later.

## Eviction
- LRU
- LFU
"""


def _dialog(qtbot: QtBot, window: MainWindow, path: Path) -> ImportDialog:
    assert window.store.path is not None
    dialog = ImportDialog(window.store.path.parent, window.settings, window, path=str(path))
    qtbot.addWidget(dialog)
    dialog.imported.connect(window.reload_decks)
    return dialog


def test_an_outline_becomes_a_deck_beside_the_built_in_one(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "caching.md"
    source.write_text(OUTLINE, encoding="utf-8")
    dialog = _dialog(qtbot, window, source)
    with qtbot.waitSignal(dialog.imported, timeout=30000) as imported:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    deck_id = imported.args[0]
    assert deck_id == "caching-for-interviews"
    assert "Imported “Caching for interviews”" in dialog.message.text()
    # Titles come from the file: the message is never read as HTML (an <img> would load).
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert (user_decks_dir(data_dir) / f"{deck_id}.yaml").is_file()
    assert [root.deck_id for root in window.model.roots] == ["ml-system-design", deck_id]
    node = window.current_node
    assert node is not None and node.deck_id == deck_id, "the new deck is selected"
    strategies = [c for c in node.children if c.title == "Cache strategies"]
    assert len(strategies) == 1 and len(strategies[0].children) == 3
    assert dialog.import_button.isEnabled()


def test_the_summary_names_the_card_warnings_at_lines_of_the_outline(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "pointers.md"
    source.write_text("# Pointers\n\n## Caching\n\nSee the sections below for details.\n\n"
                      "## Sharding\n\nSplit the keys over many machines by a hash.\n",
                      encoding="utf-8")
    dialog = _dialog(qtbot, window, source)
    with qtbot.waitSignal(dialog.imported, timeout=30000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    findings = getattr(dialog.outcome, "findings", ())
    [pointer] = [f for f in findings if f.rule == "pointer"]
    # The line is the outline's (the topic's heading), not the deck file's written from it.
    assert source.read_text(encoding="utf-8").splitlines()[pointer.line - 1] == "## Caching"
    text = dialog.message.text()
    assert f"{len(findings)} card warning" in text
    assert f"line {pointer.line} of pointers.md: {pointer.message}" in text
    assert "Edit the outline and import it again." in text
    assert "check-deck" not in text and ".yaml" not in text.partition("card warning")[2]


def test_more_warnings_than_shown_are_listed_by_importing_from_a_terminal() -> None:
    outline = "/home/someone/my notes/caching.md"
    findings = tuple(Finding(outline, line, f"caching/t{line}/explain", "pointer", "says 'below'")
                     for line in (3, 9, 14, 20, 31))
    result = SimpleNamespace(title="Caching", deck_id="my-caching", topics=5, cards=9,
                             path=Path("/data/decks/my-caching.yaml"), findings=findings)
    text = describe_import(result)
    assert ("5 card warnings: line 3 of caching.md: says 'below'; line 9 of caching.md: "
            "says 'below'; line 14 of caching.md: says 'below' (and 2 more). Edit the outline "
            "and import it again; importing it from a terminal lists them all: mlsd-study "
            "import-outline '/home/someone/my notes/caching.md' --id my-caching.") in text


def test_a_bad_outline_changes_nothing_and_says_why(qtbot: QtBot, window: MainWindow,
                                                   tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "empty.md"
    source.write_bytes(b"")
    dialog = _dialog(qtbot, window, source)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=30000)
    assert dialog.message.text().startswith("Not imported (nothing was changed):")
    assert "empty.md" in dialog.message.text()
    assert not user_decks_dir(data_dir).exists() or not any(user_decks_dir(data_dir).iterdir())
    assert [root.deck_id for root in window.model.roots] == ["ml-system-design"]


def test_without_a_file_the_dialog_asks_for_one(qtbot: QtBot, window: MainWindow) -> None:
    assert window.store.path is not None
    dialog = ImportDialog(window.store.path.parent, window.settings, window)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Choose the outline file to import."


def test_the_menu_and_ctrl_o_open_the_dialog_empty(qtbot: QtBot, window: MainWindow,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def exec_(dialog: ImportDialog) -> int:
        opened.append(dialog.path.text())
        return 0

    monkeypatch.setattr(ImportDialog, "exec", exec_)
    [action] = [a for a in window.findChildren(QAction) if a.text() == "&Import outline…"]
    assert action.shortcut().toString() == "Ctrl+O"
    action.trigger()  # triggered(checked=False) must not reach the dialog as its path
    assert opened == [""]


def test_a_reimport_says_what_was_kept_renamed_moved_and_retired() -> None:
    result = SimpleNamespace(title="Flow", deck_id="flow", topics=12, cards=30,
                             path=Path("/data/decks/flow.yaml"), added=1, updated=11, retired=2,
                             renamed=1, moved=2)
    assert ("1 topics added, 11 kept with their progress (1 renamed, 2 moved), 2 retired "
            "(their history is kept).") in describe_import(result)
    result.renamed = result.moved = 0
    assert "11 kept with their progress, 2 retired" in describe_import(result)
