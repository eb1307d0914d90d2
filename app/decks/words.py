"""Card text as words: plain text from Markdown and cloze, content-word stems, hiding a term."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from snowballstemmer.english_stemmer import EnglishStemmer

from app.model import CLOZE, cloze_answer

__all__ = ["HIDDEN", "STOPWORDS", "Hidden", "content_stems", "fits", "hide_term", "plain_text",
           "shown_in", "stem", "word_count", "words"]

#: What the learner sees where text is hidden.
HIDDEN = "[...]"

# A number keeps its decimal point ("0.5"); a word keeps its apostrophe ("model's").
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*")
# Function words and the filler of titles: sharing one of these says nothing about the answer.
_STOPWORDS = """
a an the and or nor but of to in on at by for with from into onto over under about as than
then so if is are was were be been being it its this that these those there their they them
we our you your i me my he she his her vs versus via per e g eg i.e ie etc s t not no do does
did can could should would will may might must what which who whom whose how why when where
each all any some more most other such own same also just only very up out off both
"""
STOPWORDS = frozenset(_STOPWORDS.split())

_stemmer = EnglishStemmer()
# A run of non-space characters with a letter or digit in it: a word as a reader counts one.
_COUNTED = re.compile(r"[^\s\w]*\w\S*")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of one lower-case word: "features" -> "featur"."""
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """The words and numbers of ``text``, case-folded, in order."""
    return _WORD.findall(text.casefold())


def word_count(text: str) -> int:
    """Words as a reader counts them in the plain text (Markdown markers are not words)."""
    return len(_COUNTED.findall(plain_text(text)))


def fits(text: str, limit: int) -> bool:
    """``word_count(text) <= limit``, without reading Markdown when the raw text is short
    enough (dropping markup never adds a word)."""
    return len(_COUNTED.findall(text)) <= limit or word_count(text) <= limit


@lru_cache(maxsize=16384)
def content_stems(text: str) -> frozenset[str]:
    """The stems of the words that carry meaning: "Choosing features" -> {"choos", "featur"}."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS)


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def shown_in(answer: str, breadcrumb: str, prompt: str) -> str | None:
    """Where a card's front already shows its answer, compared by word stems, or None.

    The breadcrumb shows it when it has every content word of the answer, in any form and
    order ("random, stratified, reservoir, importance sampling" shows "Reservoir sampling");
    the prompt when it has the answer's content words in a row ("... the same training batch
    as negatives" shows "In-batch negatives", while "CBOW predicts the centre word from its
    context" does not show "the context words from the centre word").
    """
    wanted = _content_words(answer)
    if not wanted:
        return None
    # A stem starts with its word's first letter: words without a partner are not stemmed.
    crumbs = content_stems(breadcrumb)
    initials = {s[:1] for s in crumbs}
    if all(w[:1] in initials for w in wanted) and {stem(w) for w in wanted} <= crumbs:
        return "breadcrumb"
    shown = _content_words(prompt)
    heads = {w[:1] for w in wanted}
    if len(wanted) > len(shown) or not heads <= {w[:1] for w in shown}:
        return None
    run = [stem(w) for w in wanted]
    hay = [stem(w) if w[:1] in heads else "" for w in shown]
    size = len(run)
    if any(hay[i:i + size] == run for i in range(len(hay) - size + 1)):
        return "prompt"
    return None


# --- plain text --------------------------------------------------------------------------------

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
# "_" and "__" never open or close inside a word (CommonMark): snake_case_names stay whole.
_EMPHASIS = re.compile(r"(\*\*|\*|~~)(?=\S)(.+?)(?<=\S)\1"
                       r"|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)", re.DOTALL)
# A code span (closed by a backtick run of the same length only: "`a``b`" is one span), or a
# backslash-escaped character, read left to right (so "\\`" opens no code).
_LITERAL = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)|\\([\\`*_{}\[\]()#+\-.!>~|])",
                      re.DOTALL)
# Each literal stands in as a numbered mark while emphasis is stripped around it.
_HELD = "\x00{}\x00"
_HELD_BACK = re.compile("\x00(\\d+)\x00")
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}> ?", re.MULTILINE)
# Any character that can start markup; text without one is already plain.
_MARKUP = re.compile(r"[*_`\[\]{}#>~!<\\]")


# Big enough for every card text of a 5 MB outline's import: the linter reads each prompt twice
# (its defects, then duplicate fronts), and a smaller cache had forgotten it by then.
@lru_cache(maxsize=32768)
def plain_text(markdown: str) -> str:
    """Text without Markdown or cloze markup, as a reader would say it.

    Emphasis, code ticks, heading and quote markers, link targets and escapes go; list markers
    and line breaks stay (a list still reads as a list). A cloze deletion shows its answer.
    """
    # Most titles and many answers have no markup: nothing to strip.
    text = _strip(markdown) if _MARKUP.search(markdown) else markdown
    # Spaces inside a line collapse; the indent of a nested list item stays.
    lines = [line[:len(line) - len(line.lstrip())] + " ".join(line.split())
             for line in text.strip("\n").rstrip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip())


def _strip(markdown: str) -> str:
    # NUL marks held literals below; it has no meaning in a deck's text
    text = CLOZE.sub(lambda m: cloze_answer(m.group(2)), markdown.replace("\x00", ""))
    held: list[str] = []  # code and escaped characters are literal: no markup is found there

    def hold(match: re.Match[str]) -> str:
        code, escaped = match.group(2), match.group(3)
        # a line end inside code is a space, as CommonMark renders it
        held.append(escaped if code is None else code.replace("\n", " ").strip())
        return _HELD.format(len(held) - 1)

    text = _LITERAL.sub(hold, text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    previous = None
    while previous != text:  # nested emphasis: ***x*** -> *x* -> x
        previous, text = text, _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    return _HELD_BACK.sub(lambda m: held[int(m.group(1))], text) if held else text


# --- hiding a term -----------------------------------------------------------------------------

# A link target or an inline code span is never cut: hiding a word there would break it.
_KEEP = re.compile(r"\]\([^)]*\)|`[^`]*`")
# Between two hidden words, only these may be swallowed into one "[...]".
_JOIN = re.compile(r"^[\s\-/]*$")


def _acronyms(term: str) -> set[str]:
    """The initials a term is abbreviated to: "Click-through rate" -> {"ctr"}."""
    every = words(term)
    content = [w for w in every if w not in STOPWORDS]
    return {"".join(w[0] for w in group) for group in (every, content) if len(group) >= 2}


class Hidden(NamedTuple):
    """Text with a term hidden: how many places were hidden, how many content words show."""

    text: str
    places: int
    shown: int


# Words of a term that say little alone in an ML text ("Model calibration": "a model is
# calibrated when ..."): hidden where they stand with the term's other words, shown where they
# stand alone, unless the term has no other words ("Machine learning").
_GENERIC_WORDS = """
model models system systems data learning machine ml training method methods algorithm
approach technique problem"""
_GENERIC = frozenset(stem(w) for w in _GENERIC_WORDS.split())


def hide_term(text: str, term: str) -> Hidden:
    """``text`` with every word form of ``term`` hidden.

    A word is hidden when its stem is one of the term's content stems ("Ranking" for "rank")
    or it is the term's acronym ("CTR" for "Click-through rate"); for a term that is an
    acronym, so are words whose initials spell it out ("convolutional neural network" for
    "CNN": the expansion tells the answer as plainly). Hidden words next to each
    other (or with one stop word between them: "learning to rank") become one "[...]". A
    generic word of the term ("model", "data", ...) alone between other words stays shown,
    when the term has a word that is not generic: hiding it would only cut the sentence.
    """
    targets = content_stems(term)
    spelled = _spelled(term)
    initials = _acronyms(term) | ({spelled} if spelled else set())
    initials |= {a + "s" for a in initials}
    generic = targets & _GENERIC if targets - _GENERIC else frozenset()

    firsts = {t[:1] for t in targets}  # a stem starts with its word's first letter
    joins = frozenset(w for w in words(term) if w in STOPWORDS)  # "to" of "learning to rank"

    def hidden(word: str) -> int:
        """2: a telling word of the term; 1: a generic one; 0: not the term's."""
        folded = word.casefold()
        # an acronym is written in capitals ("CNNs"): "it" and "or" are words, not IT and OR
        if folded in initials and word.removesuffix("s").isupper():
            return 2
        if folded[:1] not in firsts or folded in STOPWORDS:
            return 0
        found = stem(folded)
        return 0 if found not in targets else 1 if found in generic else 2

    out: list[str] = []
    places = shown = 0
    position = 0
    for keep in [*_KEEP.finditer(text), None]:
        end = keep.start() if keep is not None else len(text)
        part = _hide_in(text[position:end], hidden, joins, spelled)
        out.append(part.text)
        places += part.places
        shown += part.shown
        if keep is not None:
            out.append(keep.group(0))
            position = keep.end()
    return Hidden("".join(out), places, shown)


# A term that is an acronym: "CNN", "NLP", "CTRs" (2 to 6 capitals, maybe a plural "s").
_ACRONYM = re.compile(r"([A-Z]{2,6})s?")


def _spelled(term: str) -> str:
    """The letters of ``term`` when it is an acronym ("cnn" for "CNN"), else ""."""
    match = _ACRONYM.fullmatch(term.strip())
    return match.group(1).casefold() if match else ""


# Words that do not end a name spelled out: "Cache data near" is no Content Delivery Network.
_FUNCTION_WORDS = """
near like across against within without between before after through among around below above
behind beyond during until while toward towards onto upon
"""
_NOT_AN_END = STOPWORDS | frozenset(_FUNCTION_WORDS.split())
# An article is never a letter of an acronym: "Compare the new" spells no CTN.
_ARTICLES = frozenset(["a", "an", "the"])


def _spelled_out(found: list[str], letters: str) -> set[int]:
    """Positions of words whose initials spell ``letters`` in a row ("convolutional neural
    network" for "cnn"; hyphens split words: "click-through rate" for "ctr"; function words
    inside count, articles do not: "learning to rank" for "ltr"). Two letters are too few to
    tell a name from chance ("models learn" for "ml"), and a function word neither starts nor
    ends one."""
    out: set[int] = set()
    size = len(letters)
    if size < 3:
        return out
    for start in range(len(found) - size + 1):
        run = [found[start + k].casefold() for k in range(size)]
        if (all(w[:1] == letters[k] and w not in _ARTICLES for k, w in enumerate(run))
                and run[0] not in _NOT_AN_END and run[-1] not in _NOT_AN_END):
            out.update(range(start, start + size))
    return out


def _hide_in(text: str, hidden: Callable[[str], int], joins: frozenset[str],
             spelled: str = "") -> Hidden:
    pieces: list[str] = []  # the gaps around the words: gap, (word), gap, ..., gap
    found: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        pieces.append(text[position:match.start()])
        found.append(match.group(0))
        position = match.end()
    pieces.append(text[position:])
    marks = [hidden(w) for w in found]
    if spelled:
        for position in _spelled_out(found, spelled):
            marks[position] = 2
    runs: list[tuple[int, int]] = []  # (first, last) word of each run hidden as one "[...]"
    index = 0
    while index < len(marks):
        if not marks[index]:
            index += 1
            continue
        # Extend the run over hidden words joined by spaces, dashes, slashes or one stop word
        # of the term ("learning to rank"); more would swallow text ("topics and each topic",
        # "a model is calibrated").
        last = index
        probe = index + 1
        while probe < len(marks) and _JOIN.match(pieces[probe]) and probe - last <= 2:
            if marks[probe]:
                last = probe
            elif found[probe].casefold() not in joins:
                break
            probe += 1
        if max(marks[index:last + 1]) == 2:  # not generic words alone
            runs.append((index, last))
        index = last + 1
    cut = {i for first, last in runs for i in range(first, last + 1)}
    shown = sum(1 for i, w in enumerate(found) if i not in cut and w.casefold() not in STOPWORDS)
    if not runs:
        return Hidden(text, 0, shown)
    out: list[str] = [pieces[0]]
    index = 0
    for first, last in runs:
        for i in range(index, first):
            out += [found[i], pieces[i + 1]]
        out += [HIDDEN, pieces[last + 1]]
        index = last + 1
    for i in range(index, len(found)):
        out += [found[i], pieces[i + 1]]
    places = len(runs)
    return Hidden("".join(out), places, shown)
