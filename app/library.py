"""Finding deck files and keeping the store in line with them at start-up."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import DeckError, Problem
from app.model import CARD_GENERATOR_VERSION, Deck, DeckId
from app.store import Store

SHIPPED = "shipped"
USER = "user"
# Part of every content hash: bump it when loading or syncing changes, so decks are re-read.
# The card generator's version is part of it too, so new generator rules reach stored decks.
_SYNC_FORMAT = f"mlsd-sync-2 cards-{CARD_GENERATOR_VERSION}\n".encode()


@dataclass(frozen=True)
class SyncReport:
    """What happened to the deck files at start-up."""

    decks: tuple[DeckId, ...]
    problems: tuple[Problem, ...]
    parsed: int  # files that were read and validated (unchanged files are skipped)


def deck_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def sync_decks(store: Store, sources: list[tuple[Path, str]], now: datetime) -> SyncReport:
    """Sync every deck file into the store; a bad file is reported and the others still load.

    A file whose bytes are unchanged since the last sync is not parsed again. A bad file keeps
    the last good copy of its deck in the store (and visible), so nothing the user had is lost.
    """
    known = store.deck_hashes()
    present: list[DeckId] = []
    owners: dict[DeckId, str] = {}
    problems: list[Problem] = []
    parsed = 0
    for folder, origin in sources:
        for path in deck_files(folder):
            name = str(path)
            try:
                data = path.read_bytes()
            except OSError as exc:
                problems.append(Problem(name, 1, 1, f"cannot read the file: {exc.strerror}"))
                continue
            digest = hashlib.sha256(_SYNC_FORMAT + data).hexdigest()
            previous = known.get(name)
            if previous is not None and previous[1] == digest and previous[0] not in owners:
                present.append(previous[0])
                owners[previous[0]] = name
                continue
            parsed += 1
            from app import decks  # YAML is loaded only when a deck file changed
            from app.cards import generate_cards

            try:
                deck = decks.load_text(decks.decode(data, name), name)
            except DeckError as error:
                problems.extend(error.problems)
                if previous is not None and previous[0] not in owners:
                    present.append(previous[0])  # show the last good copy
                    owners[previous[0]] = name
                continue
            if deck.id in owners:
                problems.append(Problem(name, 1, 1, f"deck id '{deck.id}' is already used by "
                                        f"{owners[deck.id]}; give this deck another id"))
                continue
            store.sync_deck(deck, content_hash=digest, origin=origin, now=now,
                            cards=generate_cards(deck))
            present.append(deck.id)
            owners[deck.id] = name
    store.mark_missing(present)
    return SyncReport(decks=tuple(present), problems=tuple(problems), parsed=parsed)


def load_stored_deck(store: Store, deck_id: str) -> Deck:
    """Parse the file a stored deck was last synced from (for what the store does not keep,
    such as the interview question bank and rubrics). Raises :class:`DeckError`."""
    from app import decks

    for stored in store.decks():
        if stored.id == deck_id:
            return decks.load_path(stored.path)
    raise DeckError([Problem(deck_id, 1, 1, f"no deck with id '{deck_id}' is loaded")])


def interview_deck(store: Store) -> Deck | None:
    """The first visible deck that has an interview question bank and the 9 steps."""
    for stored in store.decks():
        try:
            deck = load_stored_deck(store, stored.id)
        except DeckError:
            continue
        if deck.questions and any(t.step for t in deck.topics):
            return deck
    return None
