"""The scopes File > Export to Anki offers, from the outline in memory and the store."""

from __future__ import annotations

from app.db import interviews as interview_store
from app.db.store import Store
from app.decks.library import interview_deck
from app.decks.tree import TreeNode, find
from app.errors import AppError
from app.interview.steps import interview_steps
from app.ui.dialogs.export import ExportChoice


def export_choices(store: Store, roots: list[TreeNode], node: TreeNode | None,
                   branch_first: bool = False) -> tuple[str, list[ExportChoice]]:
    """The deck to export and the scopes to offer: the whole deck, the selected branch, and
    the weakest steps of the last interview when there is one."""
    root = node.ancestors()[0] if node is not None and node.parent else node
    if root is None:
        root = roots[0]
    choices = [ExportChoice(f"The whole deck: {root.title}", None, root.deck_id)]
    if node is not None and node.kind == "topic":
        ids = frozenset(str(n.topic_id) for n in node.walk() if n.topic_id)
        branch = ExportChoice(f"This branch: {node.label}", ids,
                              f"{node.deck_id}-{node.topic_id}")
        choices.insert(0 if branch_first else 1, branch)
    weak = weak_steps_choice(store, roots, root.deck_id)
    if weak is not None:
        choices.append(weak)
    return root.deck_id, choices


def weak_steps_choice(store: Store, roots: list[TreeNode], deck_id: str) -> ExportChoice | None:
    """The topics of the weakest steps of the last finished interview on this deck, if any.

    The question bank and rubrics come from the core's parsed deck (parsed once per file
    version), so listing the choices neither builds the interview page nor reads YAML again.
    """
    records = interview_store.history(store)
    if not records:
        return None
    deck = interview_deck(store)
    if deck is None or deck.id != deck_id:
        return None
    steps = interview_steps(deck)
    try:
        summary = interview_store.load_summary(store, records[0].id, deck.questions, steps)
    except AppError:
        return None
    topics: set[str] = set()
    names = []
    for index in summary.weakest:
        step = steps[index]
        found = find(roots, f"{deck_id}/{step.topic_id}")
        if found is not None:
            topics.update(str(n.topic_id) for n in found.walk() if n.topic_id)
            names.append(f"Step {step.number}")
    if not topics:
        return None
    return ExportChoice(f"Only the weakest steps of your last interview "
                        f"({', '.join(names)})", frozenset(topics), f"{deck_id}-weak-steps")
