"""`mlsd-study cards` and `check-deck --cards`: plain-text cards, findings, exit codes, no Qt."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.decks.card_text import card_record
from app.decks.cards import generate_cards
from app.decks.lint import lint_cards
from app.decks.loader import load_path
from app.instance_lock import InstanceLock

REPO = Path(__file__).resolve().parent.parent
SHIPPED_DECK = REPO / "decks" / "ml-system-design.yaml"
FINDING_LINE = re.compile(r"^(?P<path>.+):(?P<line>[1-9]\d*): (?P<card>\S+): (?P<rule>[a-z-]+): "
                          r"(?P<message>\S.*)$")

MINE = """\
deck:
  id: mine
  title: My deck
  version: 1
topics:
  - id: sampling
    title: Sampling methods
    cards:
      - cloze: "{{c1::Reservoir sampling}} keeps a **uniform** sample of a stream."
    children:
      - id: reservoir
        title: Reservoir sampling
        notes: Keeps a `k`-item uniform random sample of a stream of unknown length.
      - id: stratified
        title: Stratified sampling
        notes: Draws from each group in proportion, so that rare groups are represented.
"""

# One defect per rule family the command must report: a pointer title, shorthand, a leak.
DEFECTIVE = """\
deck:
  id: defects
  title: Defects
  version: 1
topics:
  - id: monitoring
    title: Monitoring (below)
    notes: Watch the inputs, the predictions and the business metrics after launch.
  - id: methods
    title: random, stratified, reservoir, importance sampling
    cards:
      - q: Name a metric trade-off.
        a: Clicks b/w watch time.
      - cloze: "{{c1::Reservoir sampling}} keeps a uniform sample of a stream."
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- cards --------------------------------------------------------------------------------------

def test_cards_json_parses_and_matches_the_generator(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cards", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = generate_cards(load_path(SHIPPED_DECK))
    assert [r["id"] for r in printed] == [c.id for c in expected]
    assert printed == [card_record(c) for c in expected]
    assert set(printed[0]) == {"id", "kind", "deck", "topic", "breadcrumb", "front", "back"}
    # plain text: no Markdown emphasis, code ticks or cloze markup left
    for record in printed:
        for field in ("breadcrumb", "front", "back"):
            assert "**" not in record[field] and "{{c" not in record[field], record["id"]
    assert not (data_dir / "mlsd-study.db").exists()  # it reads deck files, not the database


def test_cards_of_one_deck_as_text_blocks(data_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _write(data_dir / "decks" / "mine.yaml", MINE)
    assert main(["cards", "--deck", "mine"]) == 0
    out = capsys.readouterr().out
    cards = generate_cards(load_path(data_dir / "decks" / "mine.yaml"))
    # A block starts at a header line "ID  [kind]"; its other lines are indented or Q:/A:.
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines)
              if re.match(r"^\S+  \[[a-z-]+\]$", line)]
    blocks = ["\n".join(lines[a:b]).strip("\n")
              for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    assert [b.split()[0] for b in blocks] == [c.id for c in cards]
    assert len(cards) == 6
    assert blocks[0].splitlines() == [
        "mine/sampling/cloze/0/c1  [cloze]",
        "   Sampling methods",
        "Q: [...] keeps a uniform sample of a stream.",
        "A: Reservoir sampling keeps a uniform sample of a stream.",
    ]
    concept = next(b for b in blocks if b.startswith("mine/reservoir/concept"))
    assert concept.splitlines()[2:] == [
        "Q: Name the term:",
        "",
        "   Keeps a k-item uniform random [...] of a stream of unknown length.",
        "A: Reservoir sampling"]


def test_cards_of_every_deck_and_an_unknown_deck(data_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _write(data_dir / "decks" / "mine.yaml", MINE)
    assert main(["cards", "--json"]) == 0
    decks = {r["deck"] for r in json.loads(capsys.readouterr().out)}
    assert decks == {"ml-system-design", "mine"}
    assert main(["cards", "--deck", "nope"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "mlsd-study: No deck 'nope'. The decks are: mine, ml-system-design.\n"


def test_cards_skips_a_broken_deck_file_with_a_warning(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(data_dir / "decks" / "broken.yaml", "deck: [\n")
    assert main(["cards", "--deck", "ml-system-design", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)
    assert captured.err.startswith(f"warning: {data_dir / 'decks' / 'broken.yaml'}:")


def test_cards_takes_the_first_file_of_a_deck_id_and_warns_of_the_second(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _write(data_dir / "decks" / "a-mine.yaml", MINE)
    second = _write(data_dir / "decks" / "b-copy.yaml",
                    MINE.replace("Reservoir sampling", "Stream sampling"))
    assert main(["cards", "--deck", "mine", "--json"]) == 0
    captured = capsys.readouterr()
    answers = json.dumps(json.loads(captured.out))
    assert "Reservoir sampling" in answers and "Stream sampling" not in answers
    assert captured.err == (f"warning: {second}:1:1: deck id 'mine' is already used by "
                            f"{first}; give this deck another id\n")


def test_cards_runs_while_the_app_holds_the_data_folder(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = InstanceLock.acquire(data_dir)
    try:
        assert main(["cards", "--deck", "ml-system-design"]) == 0
    finally:
        lock.release()
    assert capsys.readouterr().out.startswith("ml-system-design/")


def test_cards_needs_no_display_and_never_loads_qt(tmp_path: Path) -> None:
    script = (
        "import contextlib, io, json, sys\n"
        "from app.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main(['--data-dir', {str(tmp_path / 'data')!r}, 'cards', '--json'])\n"
        "print(json.dumps({'code': code, 'cards': len(json.loads(out.getvalue())),\n"
        "                  'modules': sorted(sys.modules)}))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no DISPLAY, no WAYLAND_DISPLAY
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, timeout=120, check=False, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] == 0 and report["cards"] == len(generate_cards(load_path(SHIPPED_DECK)))
    for heavy in ("PySide6", "shiboken6", "app.ui"):
        assert not any(m == heavy or m.startswith(heavy + ".") for m in report["modules"]), heavy


# --- check-deck --cards -------------------------------------------------------------------------

def test_check_deck_cards_prints_each_finding_and_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "defects.yaml", DEFECTIVE)
    assert main(["check-deck", "--cards", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    parsed = [FINDING_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["path"], int(m["line"]), m["card"], m["rule"]) for m in parsed if m] == [
        (str(path), 6, "defects/monitoring/explain", "pointer"),  # the topic starts here
        (str(path), 12, "defects/methods/qa/0", "shorthand"),
        (str(path), 14, "defects/methods/cloze/1/c1", "leak"),
    ]
    deck = load_path(path)
    assert lines == [str(f) for f in lint_cards(deck, generate_cards(deck))]


def test_plain_check_deck_keeps_its_behaviour(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "defects.yaml", DEFECTIVE)
    assert main(["check-deck", str(path)]) == 0  # a valid deck: card defects are not asked for
    assert capsys.readouterr().out == ""


def test_check_deck_cards_on_clean_and_invalid_decks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = _write(tmp_path / "mine.yaml", MINE)
    assert main(["check-deck", "--cards", str(clean)]) == 0
    assert capsys.readouterr().out == ""
    invalid = _write(tmp_path / "invalid.yaml", MINE.replace("title: My deck", "titel: My deck"))
    assert main(["check-deck", "--cards", str(clean), str(invalid)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) >= 1 and all(line.startswith(f"{invalid}:") for line in out)


def test_import_outline_prints_card_warnings(data_dir: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path / "prep.md", "# Prep\n\n## Metrics\n\nCTR and more.\n\n"
                                          "## Monitoring (below)\n")
    assert main(["import-outline", str(source)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Imported 'Prep' as deck 'prep'")
    assert captured.err.splitlines() == [
        f"warning: {source}:7: prep/monitoring-below-{_id_suffix(data_dir, 'Monitoring (below)')}"
        ": pointer: the title says '(below)': name the topic itself; cards are seen without "
        "the outline around them"]


def _id_suffix(data_dir: Path, title: str) -> str:
    deck = load_path(data_dir / "decks" / "prep.yaml")
    topic = next(t for t, _ in deck.walk() if t.title == title)
    return topic.id.removeprefix("monitoring-below-")
