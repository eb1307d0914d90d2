"""Hostile deck text: only located DeckErrors escape, and nothing in a deck is ever run.

``tests/test_decks_loader.py`` fuzzes random text and YAML-looking lines; here the text is built
from what an attacker or a broken editor would write: tags that build Python objects, anchors,
aliases and alias bombs, nesting far past :data:`MAX_NESTING`, tabs, byte order marks, NUL
bytes, lone surrogates, very long lines and duplicate keys, mixed into pieces of real decks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.decks.loader import decode, load_text
from app.decks.yaml_nodes import MAX_NESTING
from app.errors import DeckError

SOURCE = "fuzz.yaml"
FUZZ = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def mark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A file the payloads try to create; it must never appear."""
    path = tmp_path_factory.mktemp("payload") / "pwned"
    yield path
    assert not path.exists(), "a deck ran code"


def payloads(mark: Path) -> list[tuple[str, str]]:
    """(text, the tag as the refusal names it): tags that build objects or are not ours."""
    target = str(mark)
    return [
        (f'!!python/object/apply:os.system ["touch {target}"]', "!!python/object/apply:os.system"),
        (f"!!python/object/apply:os.mkdir [{target!r}]", "!!python/object/apply:os.mkdir"),
        (f"!!python/object/new:os.mkdir [{target!r}]", "!!python/object/new:os.mkdir"),
        ("!!python/object/apply:builtins.exec "
         f"[\"__import__('os').mkdir({target!r})\"]", "!!python/object/apply:builtins.exec"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!python/module:os ''", "!!python/module:os"),
        ("!!python/object:collections.OrderedDict {a: 1}",
         "!!python/object:collections.OrderedDict"),
        ("!!python/tuple [a, b]", "!!python/tuple"),
        ("!!python/str x", "!!python/str"),
        ("!<tag:yaml.org,2002:python/name:os.system> ''", "!!python/name:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [{a: 1}]", "!!omap"),
        ("!!timestamp 2020-01-01", "!!timestamp"),
        ("!foo bar", "!foo"),
        ("!Ref [x]", "!Ref"),
        ("!<tag:evil.example,2024:run> x", "tag:evil.example,2024:run"),
    ]


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_the_payloads_are_live(tmp_path: Path, index: int) -> None:
    """A loader that builds objects does run them: refusing them is what keeps us safe."""
    control = tmp_path / "control"
    text, _ = payloads(control)[index]
    assert str(control) in text
    yaml.unsafe_load(text)
    assert control.exists()


# --- a slot in a valid deck holds a tag ----------------------------------------------------------

SKELETON = [
    "deck:",
    "  id: fuzz",
    "  title: {slot}",
    "  version: 1",
    "  description: {slot}",
    "topics:",
    "  - id: a",
    "    title: {slot}",
    "    notes: {slot}",
    "    children:",
    "      - {slot}",
    "      - id: b",
    "        title: B",
    "        cards:",
    "          - q: {slot}",
    "            a: {slot}",
    "          - {slot}",
    "  - id: c",
    "    title: C",
    "    step: 1",
    "    followups:",
    "      - {slot}",
    "questions:",
    "  - id: q1",
    "    title: {slot}",
    "    prompt: {slot}",
]
SLOTS = [i for i, line in enumerate(SKELETON) if "{slot}" in line]
FILLERS = st.sampled_from(["x", "Some title", "Why?", "4", "yes", "null", "é😀", "'quoted'"])


@FUZZ
@given(st.data())
def test_a_tag_anywhere_in_a_deck_is_refused_by_name_at_its_place(mark: Path,
                                                                  data: st.DataObject) -> None:
    payload, shown = data.draw(st.sampled_from(payloads(mark)))
    slot = data.draw(st.sampled_from(SLOTS))
    directive = data.draw(st.booleans())  # the same tag spelled through a %TAG handle
    if directive and payload.startswith("!!python/"):
        payload = "!py!" + payload[len("!!python/"):]
    filler = data.draw(FILLERS)
    lines = [line.replace("{slot}", payload if i == slot else filler)
             for i, line in enumerate(SKELETON)]
    head = ["%TAG !py! tag:yaml.org,2002:python/", "---"] if directive else []
    text = "\n".join(head + lines) + data.draw(st.sampled_from(["\n", "", "\r\n"]))

    with pytest.raises(DeckError) as caught:
        load_text(text, SOURCE)

    [problem] = caught.value.problems
    column = SKELETON[slot].index("{slot}") + 1
    assert (problem.path, problem.line, problem.column) == (SOURCE, len(head) + slot + 1, column)
    assert f"the YAML tag '{shown}' is not allowed" in problem.message
    assert not mark.exists()


# --- fragments of decks and of attacks, in any order ---------------------------------------------

def bomb(depth: int, width: int) -> str:
    """Billion laughs: ``width ** depth`` items once every alias is expanded."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]"
              for i in range(1, depth)]
    return "\n".join(lines)


PIECES = [
    "deck:", "  id: d", "  title: D", "  version: 1", "  version: 99999999999999999999999",
    "topics:", "  - id: a", "    title: A", "    notes: |", "      Long notes.", "    step: 3",
    "    children:", "      - {id: b, title: B}", "    cards:", "      - {q: Q?, a: A.}",
    "      - cloze: '{{c1::x}}'", "    rubric: [{text: T, terms: [x]}]", "    followups: [Why?]",
    "questions:", "  - {id: q1, title: Q, topic: a}", "title: A", "title: B", "id: a", "id: a",
    "&anchor [x, y]", "*anchor", "<<: *anchor", "&m {k: v}", "<<: [*m, *m]", "? *m", bomb(6, 9),
    bomb(12, 3), "[" * (MAX_NESTING + 5), "{a: " * (MAX_NESTING + 5), "]" * 40, "}" * 40,
    "[" * 50_000, "\t", "\tid: a", "\ufeff", "\ufeffdeck:", "\x00", "a\x00b", "\ud800", "\udfff",
    "\x07", "\x1b[31m", "\r", "\x85", "\u2028", "\u2029", "x" * 100_000, "title: " + "é" * 50_000,
    "%YAML 1.1", "%YAML 9.9", "%TAG ! tag:evil.example,2024:", "---", "...", "--- !foo",
    "? [a, b]\n: c", "'unclosed", '"unclosed', '"\\x00 escaped"', '"\\ud800 escaped"', "'''",
    "!!str", "!!int 0x_", "1e400", "-.inf", "0o777", ":", "- - -", "|-\n  block", ">\n folded",
    "#", "# comment", "- ", "!", "&", "*", "&a", "*a", "!!", "!<>", "{", "}", "[", "]", ",",
]


@st.composite
def hostile_texts(draw: st.DrawFn, mark: Path) -> str:
    tags = [text for text, _ in payloads(mark)]
    piece = st.sampled_from(PIECES) | st.sampled_from(tags) | st.text(max_size=10)
    glue = st.sampled_from(["\n", "\n", "\n  ", "\n    ", " ", ": ", "\n- ", ""])
    parts = [draw(piece)]
    for _ in range(draw(st.integers(0, 14))):
        parts += [draw(glue), draw(piece)]
    return "".join(parts)


def line_breaks(text: str) -> int:
    """An upper bound on the lines YAML sees: it also breaks lines at CR, NEL, LS and PS."""
    return sum(text.count(c) for c in "\n\r\x85\u2028\u2029")


def assert_located(error: DeckError, text: str) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.path == SOURCE, problem
        assert 1 <= problem.line <= line_breaks(text) + 2, problem
        assert problem.column >= 1, problem
        assert problem.message.strip(), problem


@FUZZ
@given(st.data())
def test_hostile_text_gives_a_deck_or_located_deck_errors(mark: Path,
                                                          data: st.DataObject) -> None:
    text = data.draw(hostile_texts(mark))
    # As text (the loader's core), and as a file's bytes (binary and non-UTF-8 are refused).
    try:
        load_text(text, SOURCE)
    except DeckError as error:
        assert_located(error, text)
    try:
        load_text(decode(text.encode("utf-8", "surrogatepass"), SOURCE), SOURCE)
    except DeckError as error:
        assert_located(error, text)
    assert not mark.exists()


@pytest.mark.parametrize(("data", "line", "column"), [
    (b"\xef\xbb\xbf\n\xed\xa0\x80", 2, 1),  # found by the test above: a UnicodeDecodeError escaped
    (b"\xef\xbb\xbfdeck:\n  title: \xff\n", 2, 10),
    (b"\xef\xbb\xbf\xc3\xa9\xff", 1, 2),
])
def test_bad_utf8_after_a_byte_order_mark_is_located_in_the_file(data: bytes, line: int,
                                                                 column: int) -> None:
    # utf-8-sig reports the bad byte's offset from after the mark, not from the file's start.
    with pytest.raises(DeckError) as caught:
        decode(data, SOURCE)
    assert [(p.line, p.column) for p in caught.value.problems] == [(line, column)]


# --- alias bombs and nesting ---------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(depth=st.integers(2, 16), width=st.integers(2, 12), inside=st.booleans(),
       merge=st.booleans())
def test_alias_bombs_are_refused_at_the_first_alias(depth: int, width: int, inside: bool,
                                                    merge: bool) -> None:
    # Up to 12 ** 16 items once expanded: returning at all shows nothing was expanded.
    body = bomb(depth, width)
    if merge:  # the same bomb through merge keys of mappings
        body = body.replace("[", "{").replace("]", "}").replace("*lol", "<<: *lol")
    lines = body.split("\n")
    if inside:  # hidden in a valid deck's notes
        lines = ["deck: {id: d, title: D, version: 1}", "topics:", "  - id: a", "    title: A",
                 "    notes:", *(f"      {line}" for line in lines)]
    text = "\n".join(lines) + "\n"
    first = next(i for i, line in enumerate(lines) if "*lol0" in line)

    with pytest.raises(DeckError) as caught:
        load_text(text, SOURCE)

    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (first + 1, lines[first].index("*lol0") + 1)
    assert problem.message == ("aliases (*lol0) are not allowed in a deck; write the text out "
                               "in full")


OPENERS = {"list": "[", "mapping": "{a: "}
CLOSERS = {"[": "]", "{a: ": "}"}


@st.composite
def nestings(draw: st.DrawFn) -> tuple[str, int, tuple[int, int]]:
    """(text, depth, where the level past MAX_NESTING opens), in flow or block style."""
    style = draw(st.sampled_from(["list", "mapping", "mixed", "block mapping", "block list"]))
    near = st.integers(MAX_NESTING - 3, MAX_NESTING + 3)
    if style.startswith("block"):  # each level is a line: stay near the limit
        depth = draw(near | st.integers(1, MAX_NESTING + 40))
        key = "a:" if style == "block mapping" else "-"
        lines = [" " * (2 * level) + key for level in range(depth)]
        lines[-1] += " x"
        return "\n".join(lines) + "\n", depth, (MAX_NESTING + 1, 2 * MAX_NESTING + 1)
    depth = draw(near | st.integers(1, MAX_NESTING + 40) | st.sampled_from([5_000, 60_000]))
    if style == "mixed":
        pattern = draw(st.lists(st.sampled_from(list(OPENERS.values())), min_size=1,
                                max_size=5))
        opened = [pattern[level % len(pattern)] for level in range(depth)]
    else:
        opened = [OPENERS[style]] * depth
    beyond = sum(len(o) for o in opened[:MAX_NESTING]) + 1
    text = "".join(opened) + "x" + "".join(CLOSERS[o] for o in reversed(opened)) + "\n"
    return text, depth, (1, beyond)


@settings(max_examples=300, deadline=None)
@given(nestings())
def test_nesting_is_refused_exactly_beyond_the_limit(nesting: tuple[str, int, tuple[int, int]]
                                                     ) -> None:
    text, depth, (line, column) = nesting
    ours = f"nesting deeper than {MAX_NESTING} levels; flatten the outline"
    with pytest.raises(DeckError) as caught:  # nested lists or mappings are never a deck
        load_text(text, SOURCE)
    assert_located(caught.value, text)
    problems = caught.value.problems
    if depth <= MAX_NESTING:
        assert not any("nest" in p.message for p in problems), problems
        return
    [problem] = problems
    if problem.message != ours:
        # libyaml looks ahead over flow openers and stops at its own limit (1,000) before
        # the loader sees the first level too many.
        assert "nesting depth" in problem.message and depth > 1000, problem
        return
    assert (problem.line, problem.column) == (line, column)
