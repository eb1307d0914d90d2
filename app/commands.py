"""What each headless sub-command does; app/cli.py parses the command line and dispatches here."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import AppError, DatabaseDamaged
from app.plural import counted

if TYPE_CHECKING:
    import argparse

    from app.db.store import Store


#: The exit code when the database cannot be read; ``recover`` gets past it.
EXIT_DAMAGED = 3


def open_synced(data: Path) -> Store:
    """The store with the deck files synced in; deck problems are printed as warnings."""
    from app.clock import utc_now
    from app.db.store import Store
    from app.decks.library import SHIPPED, USER, sync_decks
    from app.paths import shipped_decks_dir, user_decks_dir

    store = Store.open(data)
    try:
        report = sync_decks(store, [(shipped_decks_dir(), SHIPPED),
                                    (user_decks_dir(data), USER)], utc_now())
    except BaseException:
        store.close()
        raise
    for problem in report.problems:
        print(f"warning: {problem}", file=sys.stderr)
    return store


def backup(data: Path) -> int:
    from app.clock import utc_now
    from app.db.backup import backup_and_prune
    from app.db.settings import load_settings
    from app.db.store import Store

    store = Store.open(data)
    try:
        path = backup_and_prune(store, data, utc_now(), load_settings(store).backups, "manual")
    finally:
        store.close()
    print(f"Backed up to {path}")
    return 0


def list_backups(data: Path) -> int:
    from app.clock import local_zone
    from app.db.backup import backups_dir
    from app.db.backup import list_backups as find

    found = find(data)
    if not found:
        print(f"No backups in {backups_dir(data)} yet.")
    zone = local_zone()
    for info in found:
        holds = (f"{info.reviews} reviews, {info.cards} cards" if info.readable
                 else "damaged, cannot be restored")
        when = info.taken_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {info.reason:<24} {holds:<32} {info.path}")
    return 0


def restore(data: Path, which: str) -> int:
    from app.clock import utc_now
    from app.db.restore import latest_usable_backup, restore_backup

    if which == "latest":
        latest = latest_usable_backup(data)
        if latest is None:
            raise AppError(f"There is no usable backup in {data / 'backups'}.")
        chosen = latest.path
    else:
        chosen = Path(which)
    safety = restore_backup(chosen, data, utc_now())
    print(f"Restored {chosen}." + (f" The database as it was is kept as {safety}."
                                   if safety is not None else ""))
    return 0


def recover(data: Path, choice: str) -> int:
    from app.clock import utc_now
    from app.db.restore import recover as run

    print(run(data, utc_now(), "restore-latest" if choice == "restore-latest"
              else "start-fresh"))
    return 0


def damaged_message(error: DatabaseDamaged) -> str:
    """The recovery choices the dialog offers, as commands."""
    from app.db.restore import latest_usable_backup

    data = error.path.parent
    latest = latest_usable_backup(data)
    where = f" --data-dir {data}"
    lines = [f"mlsd-study: {error}", "Choose one (the damaged file is kept, renamed):"]
    if latest is not None:
        lines.append(f"  mlsd-study{where} recover restore-latest   # the backup of "
                     f"{latest.taken_at:%Y-%m-%d %H:%M} UTC, {latest.reviews} reviews")
    lines.append(f"  mlsd-study{where} recover start-fresh      # an empty database")
    return "\n".join(lines)


def export_anki(data: Path, output: str, *, deck_id: str | None, topic: str | None,
                with_progress: bool, questions: bool) -> int:
    from app.clock import utc_now
    from app.decks.library import load_stored_deck
    from app.export.package import export_deck

    store = open_synced(data)
    try:
        decks = store.decks()
        if not decks:
            raise AppError("No deck is loaded; nothing to export.")
        chosen = deck_id or decks[0].id
        if chosen not in {d.id for d in decks}:
            raise AppError(f"No deck '{chosen}'. The decks are: "
                           f"{', '.join(sorted(d.id for d in decks))}.")
        deck = load_stored_deck(store, chosen)
        if topic is not None and not any(t.id == topic for t, _ in deck.walk()):
            raise AppError(f"No topic '{topic}' in deck '{chosen}'. Topic ids are the `id:` "
                           f"keys of the deck file; `mlsd-study decks --topics {chosen}` "
                           "lists them.")
        result = export_deck(store, deck, Path(output), now=utc_now(), topic_id=topic,
                             with_progress=with_progress, include_questions=questions)
    finally:
        store.close()
    print(f"Wrote {result.path}: {result.notes} notes, {result.cards} cards, "
          f"{result.decks} decks" + (", with progress" if result.with_progress else ""))
    return 0


def import_anki_progress(data: Path, path: str) -> int:
    from app.clock import utc_now
    from app.export.anki_progress import import_anki_progress as run_import

    store = open_synced(data)  # the decks' cards, to match the package's notes
    try:
        report = run_import(store, data, Path(path), now=utc_now())
    finally:
        store.close()
    print("\n".join(report.lines() if report.changed
                    else [*report.lines(), "Nothing new: the database was left as it was."]))
    return 0


def optimize_fsrs(data: Path, *, dry_run: bool, reschedule: bool) -> int:
    from app.clock import local_zone, utc_now
    from app.db.backup import create_backup
    from app.db.store import Store
    from app.scheduling.personal import optimise_from_reviews

    store = Store.open(data)
    try:
        if reschedule and not dry_run:
            create_backup(store, data, utc_now(), reason="before-optimize")
        result = optimise_from_reviews(store, local=local_zone(), apply=not dry_run,
                                       reschedule=reschedule)  # TooFewReviews is an AppError
    finally:
        store.close()
    print("\n".join(result.lines()))
    return 0


def import_outline(data: Path, path: str, *, deck_id: str | None, title: str | None) -> int:
    """Read and parse the outline, then lock the data folder and import it: a file that
    cannot be read (a FIFO, a device, too large) or parsed fails at once, with no lock held
    and nothing created in the data folder."""
    from app.clock import utc_now
    from app.decks.library import import_outline as run_import
    from app.errors import DeckError
    from app.instance_lock import InstanceLock
    from app.outline.importer import load_outline

    try:
        outline = load_outline(path, deck_id=deck_id, title=title)
        with InstanceLock.acquire(data):  # never two writers on one database
            store = open_synced(data)  # the stored decks tell which ids are taken
            try:
                result = run_import(store, Path(path), data, utc_now(), deck_id=deck_id,
                                    title=title, parsed=outline)
            finally:
                store.close()
    except DeckError as error:
        for problem in error.problems:
            print(f"mlsd-study: {problem}", file=sys.stderr)
        return 1
    changes = f" ({result.summary()})" if result.reimported else ""
    print(f"Imported '{result.title}' as deck '{result.deck_id}': "
          f"{counted(result.topics, 'topic')}, {counted(result.cards, 'card')}{changes} -> "
          f"{result.path}")
    for finding in result.findings:  # the card linter's, as check-deck --cards prints them
        print(f"warning: {finding}", file=sys.stderr)
    return 0


def interview_score(path: str, question: str | None, *, as_json: bool) -> int:
    """Print the rubric's verdict on a Markdown answer (app.interview.scoring)."""
    import json

    from app.interview.scoring import render_json, render_text, score_file

    found, scores = score_file(path, question)
    if as_json:
        print(json.dumps(render_json(found, scores), ensure_ascii=False, indent=1))
    else:
        print(render_text(found, scores), end="")
    return 0


def check_deck(paths: Sequence[str], *, cards: bool = False) -> int:
    from app.decks.loader import iter_problems

    found = False
    for problem in iter_problems(list(paths)):
        print(problem)
        found = True
    if cards:
        found = lint_decks(paths) or found
    return 1 if found else 0


def lint_decks(paths: Sequence[str]) -> bool:
    """Print the card linter's findings for each valid deck; True if there were any."""
    from app.decks.cards import generate_cards
    from app.decks.lint import lint_cards
    from app.decks.loader import load_path
    from app.errors import DeckError

    found = False
    for path in paths:
        try:
            deck = load_path(path)
        except DeckError:
            continue  # printed as problems already
        for finding in lint_cards(deck, generate_cards(deck)):
            print(finding)
            found = True
    return found


def list_cards(data: Path, deck_id: str | None, *, as_json: bool) -> int:
    """Print the cards of the deck files (built-in, then the user's), as text or JSON."""
    import json
    import os

    from app.decks.card_text import card_block, card_record
    from app.decks.cards import generate_cards
    from app.decks.library import SHIPPED, USER, load_decks
    from app.model import DeckId
    from app.paths import shipped_decks_dir, user_decks_dir

    decks, problems = load_decks([(shipped_decks_dir(), SHIPPED), (user_decks_dir(data), USER)])
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if deck_id is not None and deck_id not in decks:
        raise AppError(f"No deck '{deck_id}'. The decks are: {', '.join(sorted(decks))}.")
    chosen = [decks[DeckId(deck_id)]] if deck_id is not None else list(decks.values())
    records = [card_record(card) for deck in chosen for card in generate_cards(deck)]
    try:
        if as_json:
            print(json.dumps(records, ensure_ascii=False, indent=1))
        else:
            print("\n\n".join(card_block(record) for record in records))
        sys.stdout.flush()
    except BrokenPipeError:  # `mlsd-study cards | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


@contextmanager
def reading_store(data: Path) -> Iterator[Store]:
    """The store for a command that only reads: deck files synced in first when the folder is
    free; while the app holds it, the store as the app keeps it (never waiting for the lock)."""
    from app.db.store import Store
    from app.instance_lock import InstanceLock, InstanceLockError

    lock: InstanceLock | None = None
    try:
        lock = InstanceLock.acquire(data)
    except InstanceLockError:
        store = Store.open(data)
    try:
        if lock is not None:
            store = open_synced(data)
        try:
            yield store
        finally:
            store.close()
    finally:
        if lock is not None:
            lock.release()


def read_command(args: argparse.Namespace, folder: Path) -> int:
    """``cards --search``, ``decks`` and ``stats``: they read the store (app/reports.py)."""
    from app import reports
    from app.clock import local_zone, utc_now

    now, local = utc_now(), local_zone()
    with reading_store(folder) as store:
        if args.command == "cards":
            text = reports.found_cards(store, args.search, args.deck, now, local,
                                       order=args.sort, descending=args.desc,
                                       as_json=args.json)
        elif args.command == "decks":
            text = reports.decks_text(store, args.topics, now, local, as_json=args.json)
        else:
            text = reports.stats_text(store, now, local, as_json=args.json)
    _print_to_pipe(text)
    return 0


def _print_to_pipe(text: str) -> None:
    import os

    try:
        if text:
            print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `mlsd-study ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run_command(args: argparse.Namespace, folder: Path) -> int:
    """A sub-command that uses the data folder (its lock is held)."""
    if args.command == "export-anki":
        return export_anki(folder, args.output, deck_id=args.deck, topic=args.topic,
                           with_progress=args.with_progress, questions=args.questions)
    if args.command == "import-anki-progress":
        return import_anki_progress(folder, args.path)
    if args.command == "optimize-fsrs":
        return optimize_fsrs(folder, dry_run=args.dry_run, reschedule=args.reschedule)
    if args.command == "backup":
        return backup(folder)
    if args.command == "restore-backup":
        return restore(folder, args.backup)
    if args.command == "recover":
        return recover(folder, args.choice)
    raise AssertionError(f"unhandled command {args.command}")
