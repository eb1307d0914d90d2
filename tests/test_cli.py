"""The command line: help, version, check-deck, and start-up in a real process."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import sqlite3
import subprocess
import sys
import tomllib
from contextlib import closing
from pathlib import Path

import pytest

from app import __version__
from app.cli import WindowOptions, build_parser, main, window_options
from app.db.store import DB_NAME

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DECK = REPO / "decks" / "ml-system-design.yaml"
PROBLEM_LINE = re.compile(r"^(?P<path>.+):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<message>\S.*)$")

GOOD_DECK = """\
deck:
  id: tiny
  title: Tiny deck
  version: 1
topics:
  - id: only
    title: The only topic
"""

# Three problems: an unknown key (line 7), so a missing title (the topic, line 6), and a step
# out of range (line 8).
BAD_DECK = """\
deck:
  id: bad
  title: Bad deck
  version: 1
topics:
  - id: one
    titel: One
    step: 12
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- version and help ----------------------------------------------------------------------------

def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"mlsd-study \d+\.\d+\.\d+\n", out)
    assert out == f"mlsd-study {__version__}\n"
    # The package metadata is generated from app.__version__ (pyproject: dynamic version), so
    # pip, the About box, --version and the AppStream release all say the same.
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert importlib.metadata.version("mlsd-study") == __version__


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[
        argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action


def test_every_option_and_command_has_help_text() -> None:
    parser = build_parser()
    commands = _subcommands(parser)
    assert set(commands.choices) == {"check-deck", "export-anki", "import-outline", "backup",
                                     "list-backups", "restore-backup", "recover", "cards",
                                     "import-anki-progress", "optimize-fsrs", "decks", "stats",
                                     "interview-score"}
    helped = {choice.dest: choice.help for choice in commands._choices_actions}
    assert set(helped) == set(commands.choices)
    parsers = [parser, *commands.choices.values()]
    for each in parsers:
        assert each.description, each.prog
        for action in each._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (each.prog, action.dest)
    assert all(helped.values())


@pytest.mark.parametrize("argv", [["--help"], ["check-deck", "--help"], ["export-anki", "--help"],
                                  ["import-outline", "--help"], ["restore-backup", "--help"],
                                  ["recover", "--help"]])
def test_help_lists_every_option(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0
    out = capsys.readouterr().out
    parser = build_parser()
    target = _subcommands(parser).choices[argv[0]] if argv[0] != "--help" else parser
    assert out.startswith(f"usage: {target.prog}")
    for action in target._actions:
        for option in action.option_strings:
            assert option in out
        if action.help and "%" not in action.help:
            assert " ".join(action.help.split()[:3]) in " ".join(out.split())
    if target is parser:
        assert "check-deck" in out
        assert "validate deck files" in out


# --- check-deck ----------------------------------------------------------------------------------

def test_check_deck_on_valid_decks_is_silent(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    tiny = _write(tmp_path / "tiny.yaml", GOOD_DECK)
    assert main(["check-deck", str(SHIPPED_DECK), str(tiny)]) == 0
    assert capsys.readouterr() == ("", "")


def test_check_deck_prints_one_located_line_per_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path / "bad.yaml", BAD_DECK)

    assert main(["check-deck", str(bad)]) == 1

    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert len(lines) == 3
    found = [PROBLEM_LINE.match(line) for line in lines]
    assert all(found), lines
    assert [(m["path"], m["line"], m["col"]) for m in found if m] == \
        [(str(bad), "7", "5"), (str(bad), "6", "5"), (str(bad), "8", "11")]
    assert "titel" in lines[0] and "did you mean 'title'" in lines[0]
    assert "missing 'title'" in lines[1]
    assert "1..9" in lines[2]


def test_check_deck_with_several_paths(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path / "good.yaml", GOOD_DECK)
    bad = _write(tmp_path / "bad.yaml", BAD_DECK)
    syntax = _write(tmp_path / "syntax.yaml", GOOD_DECK + "  - id: [unclosed\n")
    missing = tmp_path / "missing.yaml"

    assert main(["check-deck", str(good), str(bad), str(syntax), str(missing)]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert all(PROBLEM_LINE.match(line) for line in lines), lines
    paths = [m["path"] for m in map(PROBLEM_LINE.match, lines) if m]
    assert paths == [str(bad)] * 3 + [str(syntax), str(missing)]  # in argument order


def test_check_deck_on_a_missing_file_names_it(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert main(["check-deck", str(missing)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    match = PROBLEM_LINE.match(line)
    assert match is not None and match["path"] == str(missing)
    assert "cannot read" in match["message"]


def test_check_deck_needs_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check-deck"])
    assert exited.value.code == 2
    assert "PATH" in capsys.readouterr().err


# --- start-up in a real process ------------------------------------------------------------------

def _run(args: list[str], tmp_path: Path, data_env: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MLSD_STUDY_DATA"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")  # the platform default, watched below
    if data_env is not None:
        env["MLSD_STUDY_DATA"] = str(data_env)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def _topic_count(db: Path) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return int(conn.execute("SELECT count(*) FROM topics WHERE retired = 0").fetchone()[0])
    finally:
        conn.close()


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("mlsd-study: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_startup_creates_the_database_and_a_second_run_reuses_it(tmp_path: Path) -> None:
    data = tmp_path / "data"

    first = _run(["--data-dir", str(data), "--quit-after-startup"], tmp_path)

    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert re.fullmatch(r"startup_ms=\d+\n", first.stdout)
    db = data / DB_NAME
    topics = _topic_count(db)
    assert topics > 300
    assert not (tmp_path / "xdg-data").exists()  # --data-dir was used, not the default
    conn = sqlite3.connect(str(db))
    with conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('marker', '\"kept\"')")
        synced_at = conn.execute("SELECT synced_at FROM decks").fetchall()
    conn.close()

    # MLSD_STUDY_DATA alone points at the same folder; the database is re-used, not rebuilt.
    second = _run(["--quit-after-startup"], tmp_path, data_env=data)

    assert second.returncode == 0, second.stderr
    assert re.fullmatch(r"startup_ms=\d+\n", second.stdout)
    assert _topic_count(db) == topics
    conn = sqlite3.connect(str(db))
    try:
        assert conn.execute("SELECT value FROM settings WHERE key = 'marker'").fetchone() == \
            ('"kept"',)
        assert conn.execute("SELECT synced_at FROM decks").fetchall() == synced_at
    finally:
        conn.close()
    assert not (tmp_path / "xdg-data").exists()


def test_unusable_data_folder_is_one_line_and_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    target = blocker / "sub"

    line = _one_error_line(_run(["--data-dir", str(target), "--quit-after-startup"], tmp_path))

    assert str(target) in line
    assert "--data-dir" in line


def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(str(data / DB_NAME))
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = (data / DB_NAME).read_bytes()

    line = _one_error_line(_run(["--quit-after-startup"], tmp_path, data_env=data))

    assert "newer" in line
    assert (data / DB_NAME).read_bytes() == before


def test_export_anki_writes_a_package_and_prints_counts(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    out = tmp_path / "s2.apkg"
    code = main(["--data-dir", str(tmp_path / "data"), "export-anki", "-o", str(out),
                 "--topic", "s2"])
    printed = capsys.readouterr().out
    assert code == 0 and out.exists()
    assert re.fullmatch(rf"Wrote {re.escape(str(out))}: \d+ notes, \d+ cards, \d+ decks\n",
                        printed)


def test_export_anki_failures_are_one_line_and_exit_1(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "export-anki", "-o", str(tmp_path / "x.apkg"),
                 "--topic", "no-such-topic"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-topic" in err and "Traceback" not in err
    assert main(["--data-dir", data, "export-anki", "-o",
                 str(tmp_path / "missing" / "x.apkg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mlsd-study: ") and str(tmp_path / "missing") in err
    assert not (tmp_path / "missing").exists()


# --- import-outline ------------------------------------------------------------------------------

OUTLINE = "# Study notes\n\n## Data\n- Sources\n- Labels\n\n## Model\n1. Baseline\n2. Deep model\n"


def test_import_outline_writes_a_deck_and_reports_changes_on_reimport(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    source = _write(tmp_path / "notes.md", OUTLINE)

    assert main(["--data-dir", str(data), "import-outline", str(source)]) == 0

    written = data / "decks" / "study-notes.yaml"
    out, err = capsys.readouterr()
    assert err == ""
    assert re.fullmatch(rf"Imported 'Study notes' as deck 'study-notes': 6 topics, \d+ cards -> "
                        rf"{re.escape(str(written))}\n", out)
    assert main(["check-deck", str(written)]) == 0
    assert capsys.readouterr().out == ""

    _write(source, OUTLINE.replace("- Labels", "- Labelling"))
    assert main(["--data-dir", str(data), "import-outline", str(source), "--title", "Renamed",
                 "--id", "study-notes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported 'Renamed' as deck 'study-notes': 6 topics, ")
    assert "(1 added, 5 kept, 1 retired)" in out


def test_import_outline_problems_are_one_line_each_and_exit_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    empty = _write(tmp_path / "empty.md", "")
    assert main(["--data-dir", data, "import-outline", str(empty)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("mlsd-study: ")
    match = PROBLEM_LINE.match(line.removeprefix("mlsd-study: "))
    assert match is not None and (match["path"], match["line"]) == (str(empty), "1")
    assert "empty" in match["message"]

    source = _write(tmp_path / "notes.md", OUTLINE)
    for argv, expected in ([["--id", "ml-system-design"], "built-in deck"],
                           [["--id", "Not An Id"], "must be lowercase"]):
        assert main(["--data-dir", data, "import-outline", str(source), *argv]) == 1
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith(f"mlsd-study: {source}:1:1: ") and expected in line
    assert not (tmp_path / "data" / "decks").exists()


def test_import_outline_in_a_real_process_stores_the_deck(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = _write(tmp_path / "notes.md", OUTLINE)
    result = _run(["--data-dir", str(data), "import-outline", str(source)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Imported 'Study notes'")
    conn = sqlite3.connect(str(data / DB_NAME))
    try:
        assert conn.execute("SELECT id FROM decks ORDER BY id").fetchall() == [
            ("ml-system-design",), ("study-notes",)]
    finally:
        conn.close()


# --- backups and recovery from the command line ---------------------------------------------------

def _reviews(data_dir: Path) -> int:
    with closing(sqlite3.connect(data_dir / DB_NAME)) as conn:
        return int(conn.execute("SELECT count(*) FROM settings WHERE key = 'marker'")
                   .fetchone()[0])


def test_backup_list_and_restore_round_trip(data_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-backups"]) == 0
    assert "No backups" in capsys.readouterr().out
    assert main(["backup"]) == 0
    written = capsys.readouterr().out
    assert written.startswith("Backed up to ") and "-manual.db" in written
    with closing(sqlite3.connect(data_dir / DB_NAME)) as conn, conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('marker', '1')")
    assert _reviews(data_dir) == 1
    assert main(["list-backups"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and "manual" in listed[0] and "cards" in listed[0]
    assert main(["restore-backup", "latest"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Restored ") and "kept as" in said
    assert _reviews(data_dir) == 0, "the marker written after the backup is gone"


def test_a_damaged_database_exits_3_with_the_choices_and_recover_gets_past_it(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup"]) == 0
    capsys.readouterr()
    path = data_dir / DB_NAME
    damaged = os.urandom(8192)
    path.write_bytes(damaged)
    assert main(["export-anki", "-o", str(data_dir / "x.apkg")]) == 3
    err = capsys.readouterr().err
    assert "recover restore-latest" in err and "recover start-fresh" in err
    assert path.read_bytes() == damaged, "nothing is written over a damaged database"
    assert main(["recover", "restore-latest"]) == 0
    assert "Restored the backup" in capsys.readouterr().out
    kept = [p for p in data_dir.iterdir() if ".damaged-" in p.name]
    assert [p.read_bytes() for p in kept] == [damaged]
    assert main(["export-anki", "-o", str(data_dir / "x.apkg")]) == 0


def test_a_command_refuses_a_data_folder_in_use(data_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from app.instance_lock import InstanceLock

    with InstanceLock.acquire(data_dir):
        assert main(["backup"]) == 1
    assert "Another MLSD Study is using" in capsys.readouterr().err
    assert main(["backup"]) == 0


@pytest.mark.parametrize(("argv", "expected"), [
    ([], WindowOptions()),
    (["--quit-after-startup"], WindowOptions(quit_after_startup=True)),
    (["--data-dir", "d", "--quit-after-startup"], WindowOptions("d", True)),
    (["--data-dir=d e"], WindowOptions("d e")),
])
def test_window_only_command_lines_skip_the_parser_and_read_as_it_would(
        argv: list[str], expected: WindowOptions) -> None:
    assert window_options(argv) == expected
    parsed = build_parser().parse_args(argv)  # the full parser agrees
    assert (parsed.command, parsed.data_dir, parsed.quit_after_startup) == (
        None, expected.data_dir, expected.quit_after_startup)


@pytest.mark.parametrize("argv", [
    ["--help"], ["--version"], ["stats"], ["--data-dir"], ["--data-dir="],
    ["--data-dir", "--quit-after-startup"], ["--quit-after-startup", "decks"], ["-x"],
])
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert window_options(argv) is None


def test_a_window_only_start_never_imports_argparse(tmp_path: Path) -> None:
    code = ("import sys, app.cli\n"
            "opts = app.cli.window_options(['--data-dir', 'x'])\n"
            "print(opts is not None, 'argparse' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=tmp_path)
    assert result.stdout.split() == ["True", "False"]
