"""Architecture guards: Qt only in app/ui/, SQL only in app/db/, a lean path to the first paint."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app"
UI = APP / "ui"
MODULES = sorted(APP.rglob("*.py"))
CORE = [m for m in MODULES if UI not in m.parents]


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name
    line: int
    top_level: bool  # False when inside a function (a lazy import)


def _package(path: Path) -> list[str]:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return parts if parts[-1] == "__init__" else parts[:-1]


def imports_of(path: Path) -> list[Import]:
    return imports_in(path.read_text(encoding="utf-8"), path)


def imports_in(source: str, path: Path) -> list[Import]:
    """Every import in a module's source, nested ones included, as absolute module names."""
    tree = ast.parse(source, filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend(Import(a.name, child.lineno, not in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    package = _package(path)
                    base = package[:len(package) - child.level + 1]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                found.append(Import(module, child.lineno, not in_function))
                # `from app import ui` names a module too
                found.extend(Import(f"{module}.{a.name}", child.lineno, not in_function)
                             for a in child.names)
            visit(child, nested)

    visit(tree, False)
    return found


def _is(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_the_walk_sees_the_modules_it_guards() -> None:
    names = {_rel(m) for m in MODULES}
    assert {"app/cli.py", "app/db/store.py", "app/decks/loader.py", "app/ui/app.py"} <= names
    # The finder sees what it guards: Qt in the UI, and the CLI's one lazy import of the UI.
    ui_imports = {i.module for i in imports_of(UI / "app.py")}
    assert any(_is(m, "PySide6") for m in ui_imports)
    lazy = [i for i in imports_of(APP / "cli.py") if not i.top_level]
    assert any(_is(i.module, "app.ui") for i in lazy)


def test_import_finder_handles_every_form() -> None:
    source = (
        "import PySide6.QtCore\n"
        "from PySide6 import QtWidgets\n"
        "from . import tree_model\n"
        "from ..store import Store\n"
        "def later():\n"
        "    import fsrs\n"
        "    class Inner:\n"
        "        from genanki import Note\n"
        "class Eager:\n"
        "    import yaml\n"
    )
    found = {(i.module, i.line, i.top_level) for i in imports_in(source, UI / "sample.py")}
    assert ("PySide6.QtCore", 1, True) in found
    assert ("PySide6", 2, True) in found
    assert ("app.ui.tree_model", 3, True) in found
    assert ("app.store", 4, True) in found
    assert ("fsrs", 6, False) in found
    assert ("genanki", 8, False) in found
    assert ("yaml", 10, True) in found  # a class body runs at import time


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_module_does_not_import_qt(path: Path) -> None:
    offending = [f"{_rel(path)}:{i.line}: {i.module}" for i in imports_of(path)
                 if _is(i.module, "PySide6") or _is(i.module, "shiboken6")]
    assert offending == []


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_module_does_not_import_the_ui(path: Path) -> None:
    allowed_lazy = path == APP / "cli.py"
    offending = [f"{_rel(path)}:{i.line}: {i.module}" for i in imports_of(path)
                 if _is(i.module, "app.ui") and not (allowed_lazy and not i.top_level)]
    assert offending == []


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_every_module_has_a_docstring(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring and docstring.strip(), f"{_rel(path)} needs a one-line module docstring"


# --- one data layer: SQL against our store lives in app/db/ ---------------------------------------

DB = APP / "db"
#: Modules outside app/db/ that hold SQL: they write Anki's own collection file (Anki's schema,
#: in a package being exported), never our store.
ANKI_COLLECTION_SQL = frozenset({APP / "export" / "collection.py", APP / "export" / "progress.py"})
# The first word of an SQL statement, in capitals as the project writes them ("Select the node"
# in a docstring is prose).
_SQL = re.compile(r"\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WITH|REPLACE)\s")


def sql_lines(source: str, path: Path) -> list[int]:
    """The lines of string literals (f-string parts too) that start an SQL statement."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source, filename=str(path)))
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and _SQL.match(node.value))


def test_the_sql_finder_sees_statements_and_not_prose() -> None:
    source = ('a = "SELECT 1"\n'
              'b = f"UPDATE {table} SET x = 1"\n'
              'c = ("  INSERT INTO t "\n     "VALUES (1)")\n'
              'd = "Select the node with this key"\n'
              'e = "Delete the deck?"\n')
    assert sql_lines(source, APP / "sample.py") == [1, 2, 3]
    assert sql_lines((DB / "study.py").read_text(encoding="utf-8"), DB / "study.py")
    for path in ANKI_COLLECTION_SQL:  # the exemptions are still needed
        assert sql_lines(path.read_text(encoding="utf-8"), path), _rel(path)


@pytest.mark.parametrize("path", [m for m in MODULES if DB not in m.parents
                                  and m not in ANKI_COLLECTION_SQL], ids=_rel)
def test_sql_lives_only_in_app_db(path: Path) -> None:
    """Every statement against our store is in app/db/; app/ui/ (scanned too) has none."""
    found = sql_lines(path.read_text(encoding="utf-8"), path)
    assert [f"{_rel(path)}:{line}" for line in found] == []


def test_importing_the_core_leaves_qt_and_heavy_packages_unloaded() -> None:
    script = (
        "import json, sys\n"
        "import app.cli, app.db.store, app.decks.loader, app.decks.library, app.decks.tree\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert {"app.cli", "app.db.store", "app.decks.loader", "app.decks.library",
            "app.decks.tree"} <= loaded
    for heavy in ("PySide6", "shiboken6", "genanki", "fsrs", "app.ui"):
        assert not any(_is(name, heavy) for name in loaded), heavy


# Starts the GUI as `mlsd-study --quit-after-startup` does and lists the modules loaded when
# the outline is first painted.
_AT_FIRST_PAINT = """
import json, sys
from pathlib import Path
import app.ui.app as gui
seen = []

class Spy(gui.Controller):
    def __init__(self, *args):
        super().__init__(*args)
        self.window.outline.first_painted.connect(lambda: seen.extend(sorted(sys.modules)))

gui.Controller = Spy
gui.run_gui(Path(sys.argv[1]), quit_after_startup=True)
print(json.dumps(seen))
"""

#: Loaded when first used, never on the way to the first paint: only the window shell, the
#: outline pane and the data they show are.
NOT_AT_FIRST_PAINT = (
    "app.ui.interview", "app.interview", "app.ui.stats", "app.db.stats", "app.ui.dialogs",
    "app.export", "app.ui.export_choices", "app.ui.review_page", "app.scheduling.review",
    "app.ui.file_commands", "app.ui.worker", "app.ui.about", "app.outline", "genanki", "fsrs",
)


def _loaded_at_first_paint(data_dir: Path) -> set[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", _AT_FIRST_PAINT, str(data_dir)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_first_paint_needs_only_the_shell_and_the_outline(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = _loaded_at_first_paint(data_dir)  # a new data folder: the decks are synced
    again = _loaded_at_first_paint(data_dir)  # as most starts are: no deck file changed
    for loaded in (first, again):
        assert {"app.ui.main_window", "app.ui.outline_pane", "app.ui.actions",
                "app.ui.tree_model", "PySide6.QtWidgets"} <= loaded
        early = sorted(name for name in loaded if any(_is(name, lazy)
                                                      for lazy in NOT_AT_FIRST_PAINT))
        assert early == []
    assert "yaml" in first and "yaml" not in again  # unchanged deck files are not parsed
