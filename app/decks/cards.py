"""Topics -> flashcards with stable ids: explanations, terms, authored cards, lists, the steps."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from app.decks.titles import (
    asked_title,
    is_term,
    shares_a_word,
    sounds_like,
    without_notes_to_reader,
)
from app.decks.words import (
    HIDDEN,
    STOPWORDS,
    fits,
    hide_term,
    shown_in,
    words,
)
from app.model import (
    CLOZE,
    CardId,
    CardSpec,
    Deck,
    Topic,
    TopicId,
    cloze_answer,
    cloze_hint,
    step_label,
)

__all__ = ["MAX_EXPLAIN_WORDS", "MAX_SET", "TEMPLATED_KINDS", "asked_title", "generate_cards",
           "is_term"]

# When the cards generated for an unchanged deck change (text, ids, order or kinds), bump
# app.model.CARD_GENERATOR_VERSION: stored decks are then synced again.

#: An explanation longer than this gives no card: it is never cut mid-sentence, and the card
#: linter asks for focused cards written in the deck instead.
MAX_EXPLAIN_WORDS = 60
#: A "name the N" card is made only for sets this small ("avoid sets": larger ones are noise).
MAX_SET = 5
_SET_ITEM_WORDS = 4
_ELIDED = "…"
#: Kinds whose front is a fixed template around a step number: its words ("step", "flow")
#: carry no cue, so such a card cannot show its answer.
TEMPLATED_KINDS = frozenset({"step-number", "step-after"})


@dataclass(frozen=True)
class _Draft:
    """A card before order numbering; ``tag`` tells apart authored cards whose prompts collide."""

    id: str
    topic_id: TopicId
    kind: str
    context: str
    prompt: str
    answer: str
    group: str = ""
    authored: bool = False
    tag: str = ""


def generate_cards(deck: Deck) -> list[CardSpec]:
    """Every card of the deck, in outline order, with unique ids and unique (context, prompt).

    Per topic, in pre-order: its explanation ("Explain: X", when the notes have at most
    :data:`MAX_EXPLAIN_WORDS` words) and the same fact the other way round (the notes with the
    term hidden: "concept" cards), its authored cards, then its children as a list: positional
    cloze when their order matters (``ordered:``), else at most one "name the N" card for a
    small set of short terms; then, for a step of the flow, the step cards. Generated cards
    whose answer shows in their front (compared by word stems) are dropped. ``order`` is the
    position in the returned list.
    """
    labels = _labels(deck)
    asked = _asked_titles(deck, labels)
    steps = {topic.step: topic for topic, _ in deck.walk() if topic.step}
    covering: defaultdict[str, set[int]] = defaultdict(set)
    for number, step in steps.items():
        for child in step.children:
            covering[_norm(child.title)].add(number)

    # In a deck laid out as the ML design flow, a top-level topic that is not a step is a part
    # of the deck ("Introduction", "Other topics"): its notes say what the part holds, no fact
    # to recall (the tree still shows them). Steps found elsewhere (an outline's numbered table
    # of contents) leave the sections beside them what they are.
    flow_deck = _flow_name(deck) == _FLOW_NAME
    drafts: list[_Draft] = []
    for topic, ancestors in deck.walk():
        # Breadcrumbs name each heading as its explain card asks it (without asides that list
        # examples; whole where siblings would otherwise read alike).
        above = [asked[a.id] for a in ancestors]
        here = _context(deck, [*above, asked[topic.id]])
        notes = topic.notes.strip()
        part = flow_deck and not ancestors and not topic.step
        if notes and fits(notes, MAX_EXPLAIN_WORDS) and not part:
            # One fact asked both ways: the two cards bury each other for the day.
            meaning = f"{deck.id}/{topic.id}/meaning"
            # A top-level topic is a part of the deck ("Other topics"), not a term to recall.
            concept = [] if not ancestors else list(
                _concept(deck, topic, _context(deck, above), notes, meaning))
            drafts.append(_draft(deck, topic.id, "explain", "", _context(deck, above),
                                 f"Explain: {_explained(asked, topic, ancestors)}", notes,
                                 meaning if concept else ""))
            drafts.extend(concept)
        drafts.extend(_authored(deck, topic, here))
        if len(topic.children) >= 2:
            # Fronts name the list as its explain card asks it (no "(advanced)" note)
            if topic.ordered:
                drafts.extend(_enumeration(deck, topic, asked[topic.id], here))
            else:
                drafts.extend(_name_all(deck, topic, asked[topic.id], here))
        if topic.step:
            drafts.extend(_step_cards(deck, topic, steps, covering))

    drafts = _unique_ids(_unique_prompts([d for d in drafts if d.authored or not _gives_away(d)]))
    return [CardSpec(id=CardId(d.id), deck_id=deck.id, topic_id=d.topic_id, kind=d.kind,
                     context=d.context, prompt=d.prompt, answer=d.answer, order=order,
                     sibling_group=d.group)
            for order, d in enumerate(drafts)]


# A heading that starts in lower case continues its parent's ("Embeddings" > "how to
# generate/learn?", "Data needs" > "type and volume"); a name with capitals inside ("mAP",
# "nDCG") is a term of its own.
_FRAGMENT = re.compile(r"^[a-z][a-z'-]*(?:[\s,/?(]|$)")


def _explained(asked: dict[TopicId, str], topic: Topic, ancestors: tuple[Topic, ...]) -> str:
    """What an explain card asks for: the heading, after its parent's when it only continues
    it, so the front reads on its own ("Embeddings: how to generate/learn?")."""
    title = _shown(asked[topic.id])
    if not ancestors or not _FRAGMENT.match(asked[topic.id]):
        return title
    # The parent as its own card would ask it: a fragment under a fragment keeps the term both
    # continue ("Embeddings: how to learn? Negatives").
    parent = _explained(asked, ancestors[-1], ancestors[:-1]).rstrip().rstrip(":").rstrip()
    first = parent.split()[0] if parent.split() else ""
    if first.islower():  # "structured" -> "Structured"; "mAP" and "iOS" stay as written
        parent = parent[:1].upper() + parent[1:]
    if parent.endswith("?"):  # "How to A/B test? What portion of users?"
        return f"{parent} {title[:1].upper() + title[1:]}"
    return f"{parent}: {title}"


def _draft(deck: Deck, topic_id: TopicId, kind: str, key: str, context: str, prompt: str,
           answer: str, group: str = "", *, authored: bool = False, tag: str = "") -> _Draft:
    card_id = f"{deck.id}/{topic_id}/{kind}" + (f"/{key}" if key else "")
    return _Draft(card_id, topic_id, kind, context, prompt, answer, group, authored, tag)


_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<])")
_BLOCK_START = re.compile(r"^([#>+=-]|\d+(?=[.)]))")


def _shown(title: str, *, line_start: bool = False) -> str:
    """A plain-text title as Markdown that shows it as written ("__bool__" stays, not a bold
    "bool"; "> Greater than" at the start of a line stays, not a quote)."""
    text = _INLINE_MARKUP.sub(r"\\\1", title)
    if line_start:
        text = _BLOCK_START.sub(lambda m: m[1] + "\\" if m[1][0].isdigit() else "\\" + m[1],
                                text)
    return text


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _context(deck: Deck, path: list[str]) -> str:
    return " > ".join(path) if path else deck.title


def _labels(deck: Deck) -> dict[TopicId, str]:
    """Breadcrumb labels; siblings sharing a label get their position, so paths stay distinct."""
    labels: dict[TopicId, str] = {}
    for siblings in [deck.topics, *(topic.children for topic, _ in deck.walk())]:
        if not siblings:  # a leaf: most topics of a big outline
            continue
        plain = [step_label(t.title, t.step) for t in siblings]
        counts = Counter(_norm(p) for p in plain)
        for position, (topic, label) in enumerate(zip(siblings, plain, strict=True), 1):
            if counts[_norm(label)] > 1:
                label = f"{label} (item {position} of {len(siblings)})"
            labels[topic.id] = label
    return labels


def _asked_titles(deck: Deck, labels: dict[TopicId, str]) -> dict[TopicId, str]:
    """Each topic's label as its "Explain:" card asks it (:func:`asked_title`), or the whole
    label where siblings would otherwise be asked alike ("Batch (nightly, stored)" and "Batch
    (micro-batches, e.g. Spark)" both "Batch")."""
    asked: dict[TopicId, str] = {}
    for siblings in [deck.topics, *(topic.children for topic, _ in deck.walk())]:
        short = {topic.id: asked_title(labels[topic.id]) for topic in siblings}
        counts = Counter(_norm(title) for title in short.values())
        for topic_id, title in short.items():
            asked[topic_id] = title if counts[_norm(title)] == 1 else labels[topic_id]
    return asked


def _authored(deck: Deck, topic: Topic, context: str) -> Iterator[_Draft]:
    for index, card in enumerate(topic.cards):
        key = card.id or str(index)
        tag = f"card {index + 1}"
        if not card.cloze:
            yield _draft(deck, topic.id, "qa", key, context, card.question, card.answer,
                         authored=True, tag=tag)
            continue
        group = f"{deck.id}/{topic.id}/cloze/{key}"
        # One card per distinct cloze number, as Anki does; the loader refuses text without any.
        for number in sorted({int(m.group(1)) for m in CLOZE.finditer(card.cloze)}):
            prompt, answer = _cloze_sides(card.cloze, number)
            yield _draft(deck, topic.id, "cloze", f"{key}/c{number}", context, prompt, answer,
                         group, authored=True, tag=tag)


def _cloze_sides(text: str, number: int) -> tuple[str, str]:
    """The prompt (deletion ``number`` hidden, the others shown) and the answer (it in bold)."""

    def front(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return cloze_answer(match.group(2))
        hint = cloze_hint(match.group(2))
        return f"[{hint}]" if hint else HIDDEN

    def back(match: re.Match[str]) -> str:
        answer = cloze_answer(match.group(2))
        return _bold(answer) if int(match.group(1)) == number else answer

    return CLOZE.sub(front, text), CLOZE.sub(back, text)


def _bold(text: str) -> str:
    # Markdown ignores "** x **", so the spaces go outside the markers.
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}**{core}**{text[start + len(core):]}"


def _concept(deck: Deck, topic: Topic, context: str, notes: str,
             group: str) -> Iterator[_Draft]:
    """The term from its description: the notes with every form of the term hidden."""
    term = without_notes_to_reader(topic.title).strip() or topic.title
    if not is_term(term):
        return
    described = hide_term(notes, term)
    if described.shown < 6:  # what is left must still describe something
        return
    yield _draft(deck, topic.id, "concept", "", context, f"Name the term:\n\n{described.text}",
                 _shown(term, line_start=True), group)


def _name_all(deck: Deck, parent: Topic, label: str, context: str) -> Iterator[_Draft]:
    """One "name the N" card for a small set of short terms, with their initials as cues.

    Made only where the set itself is worth knowing: at most :data:`MAX_SET` members, each a
    short term with nothing below it (sub-headings of a section are no set), under a parent
    that names the set (not a step, a question or a list of examples). Position plays no part:
    the answer is the set, in any order.
    """
    items = parent.children
    if parent.step or not 2 <= len(items) <= MAX_SET or not is_term(parent.title, 6):
        return
    if not all(is_term(item.title, _SET_ITEM_WORDS) and not item.children for item in items):
        return
    if len({_norm(item.title) for item in items}) < len(items):
        return
    cues = ", ".join(f"{_initial(asked_title(item.title))}…" for item in items)
    yield _draft(deck, parent.id, "name-all", "", context,
                 f"{_shown(label, line_start=True)}: name all {len(items)}.\n\nCues: {cues}",
                 "\n".join(f"- {_shown(asked_title(item.title))}" for item in items))


def _initial(title: str) -> str:
    first = next((w for w in words(title) if w not in STOPWORDS), title)
    return first[:1].upper()


def _enumeration(deck: Deck, parent: Topic, label: str, context: str) -> Iterator[_Draft]:
    """Overlapping cloze over an ordered list: each card hides one item and shows only its
    neighbours, for lists whose order is worth knowing (a pipeline, the steps of a method)."""
    items = parent.children
    count = len(items)
    group = f"{deck.id}/{parent.id}/enum"
    for index, item in enumerate(items):
        first, last = max(0, index - 1), min(count, index + 2)
        lines = [f"{_shown(label, line_start=True)}, item {index + 1} of {count}:", ""]
        if first > 0:
            lines += [_ELIDED, ""]
        # The list starts at its real number; CommonMark keeps a start number after a blank line.
        lines += [f"{j + 1}. " + (f"**{HIDDEN}**" if j == index else
                                  _shown(without_notes_to_reader(items[j].title)))
                  for j in range(first, last)]
        if last < count:
            lines += ["", _ELIDED]
        yield _draft(deck, parent.id, "enum", item.id, context, "\n".join(lines),
                     _shown(without_notes_to_reader(item.title), line_start=True), group)


def _step_cards(deck: Deck, topic: Topic, steps: dict[int, Topic],
                covering: dict[str, set[int]]) -> Iterator[_Draft]:
    # Context is the deck title: the step's own breadcrumb would show the answer.
    number = topic.step
    assert number is not None
    label = step_label(topic.title, number)
    flow = _flow_name(deck)
    # step-number N and step-after N-1 both answer "Step N ...": one fact asked two ways, so
    # they share a sibling group and bury each other for the day.
    yield _draft(deck, topic.id, "step-number", str(number), deck.title,
                 f"What is step {number} of {flow}?", label,
                 f"{deck.id}/{topic.id}/step")
    following = steps.get(number + 1)
    if following is not None:
        yield _draft(deck, topic.id, "step-after", str(number), deck.title,
                     f"Which step comes after {label}?",
                     step_label(following.title, following.step),
                     f"{deck.id}/{following.id}/step")
    asked: set[str] = set()
    for child in topic.children:
        title = _norm(child.title)
        if len(covering.get(title, ())) > 1:
            continue  # the same title under two steps: the question has no single answer
        if title in asked:
            continue  # the same title twice under this step: one card asks it
        if shares_a_word(child.title, topic.title):
            continue  # "Choosing features" -> Feature Engineering: guessed from the word
        if any(sounds_like(child.title, other.title) for other in steps.values()
               if other is not topic):
            continue  # "Dataset" under step 6 reads as step 4's "Data": two fair answers
        asked.add(title)
        yield _draft(deck, topic.id, "step-covers", child.id, deck.title,
                     f"Which step of {'the flow' if flow == _FLOW_NAME else flow} covers "
                     f"'{without_notes_to_reader(child.title)}'?", label)


_FLOW_NAME = "the ML system design flow"


def _flow_name(deck: Deck) -> str:
    """How step cards name the sequence: the ML system design flow for a deck on its steps
    (one with the interview question bank is the built-in one), else the deck's own title."""
    if deck.questions:
        return _FLOW_NAME
    from app.interview.flow import follows_flow  # not on the way to the first paint

    return _FLOW_NAME if follows_flow(deck) else f"'{_shown(deck.title)}'"


def _gives_away(draft: _Draft) -> bool:
    """The answer already shows above the line: such generated cards are dropped, authored kept.

    Shown means the answer's text as it is, or its words in some form as the card linter
    compares them (:func:`~app.decks.words.shown_in`).
    """
    if _norm(draft.answer) in _norm(f"{draft.context}\n{draft.prompt}"):
        return True
    return draft.kind not in TEMPLATED_KINDS and shown_in(draft.answer, draft.context,
                                                      draft.prompt) is not None


def _unique_prompts(drafts: list[_Draft]) -> list[_Draft]:
    """Make (context, prompt) unique without losing an authored card.

    A generated card that repeats an authored card's prompt is dropped (the author's card
    covers it), as is a generated duplicate with the same answer. Authored cards that collide
    are told apart by their position in the topic; anything still colliding gets a number.
    """
    groups: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
    for index, draft in enumerate(drafts):
        groups[(draft.context, draft.prompt)].append(index)
    dropped: set[int] = set()
    tagged: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = [i for i in members if drafts[i].authored]
        if not keep:
            answers: set[str] = set()
            for i in members:
                if drafts[i].answer not in answers:
                    answers.add(drafts[i].answer)
                    keep.append(i)
        dropped.update(i for i in members if i not in keep)
        if len(keep) > 1:
            tagged.update(i for i in keep if drafts[i].tag)

    seen: set[tuple[str, str]] = set()
    out: list[_Draft] = []
    for index, draft in enumerate(drafts):
        if index in dropped:
            continue
        prompt = f"{draft.prompt} ({draft.tag})" if index in tagged else draft.prompt
        candidate, suffix = prompt, 2
        while (draft.context, candidate) in seen:
            candidate, suffix = f"{prompt} ({suffix})", suffix + 1
        seen.add((draft.context, candidate))
        if candidate != draft.prompt:
            draft = replace(draft, prompt=candidate)
            if not draft.authored and _gives_away(draft):
                continue  # the number we added is the answer: a bad card now
        out.append(draft)
    return out


def _unique_ids(drafts: list[_Draft]) -> list[_Draft]:
    """Ids clash only when authored keys do (a repeated ``id:``); later cards get ``~N``."""
    seen: set[str] = set()
    out: list[_Draft] = []
    for draft in drafts:
        card_id, suffix = draft.id, 2
        while card_id in seen:
            card_id, suffix = f"{draft.id}~{suffix}", suffix + 1
        seen.add(card_id)
        out.append(draft if card_id == draft.id else replace(draft, id=card_id))
    return out
