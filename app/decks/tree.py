"""The stored decks as an in-memory tree for browsing: labels, breadcrumbs and search."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.db.store import Store, StoredDeck, StoredTopic
from app.db.study import TopicCounts
from app.model import DeckId, TopicId, step_label


@dataclass(eq=False)
class TreeNode:
    """A deck (root) or a topic. ``row`` is the node's index among its parent's children."""

    kind: str  # "deck" or "topic"
    deck_id: DeckId
    topic_id: TopicId | None
    title: str
    notes: str = ""
    step: int | None = None
    parent: TreeNode | None = None
    children: list[TreeNode] = field(default_factory=list)
    row: int = 0
    source_credit: str = ""

    def __post_init__(self) -> None:
        self._haystack = f"{self.label}\n{self.notes}".casefold()

    @property
    def label(self) -> str:
        return step_label(self.title, self.step)

    @property
    def key(self) -> str:
        """Stable across runs: ``deck`` or ``deck/topic``."""
        return self.deck_id if self.topic_id is None else f"{self.deck_id}/{self.topic_id}"

    def ancestors(self) -> list[TreeNode]:
        """From the root down to the parent."""
        chain: list[TreeNode] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def breadcrumb(self) -> str:
        """The topic path without the deck, e.g. ``Step 2 Metrics > Online metrics > CTR``."""
        return " > ".join(n.label for n in [*self.ancestors(), self] if n.kind == "topic")

    def matches(self, needle: str) -> bool:
        """Case-insensitive match on the label and the explanation."""
        return needle.casefold() in self._haystack

    def match_rank(self, needle: str) -> int | None:
        """How well the node matches, best first: 0 its label (or its title, without a step's
        number) is the text, 1 starts with it, 2 holds it, 3 only the explanation does; None:
        no match (all case-insensitive)."""
        text = needle.casefold()
        # the label, and the title without a step's number ("Feature Engineering")
        names = (self.label.casefold(), self.title.casefold())
        if text in names:
            return 0
        if any(name.startswith(text) for name in names):
            return 1
        if any(text in name for name in names):
            return 2
        return 3 if text in self._haystack else None

    def walk(self) -> list[TreeNode]:
        out: list[TreeNode] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out


def _credit(deck: StoredDeck) -> str:
    src = deck.source
    if not (src.title or src.url):
        return ""
    parts = [f"[{src.title or src.url}]({src.url})" if src.url else src.title]
    if src.author:
        parts.append(f"by {src.author}")
    if src.licence:
        parts.append(f"({src.licence} licence)")
    return "Source: " + " ".join(parts)


def build_tree(store: Store) -> list[TreeNode]:
    """One root per visible deck, topics nested by parent and ordered by position."""
    roots: list[TreeNode] = []
    for deck in store.decks():
        root = TreeNode("deck", deck.id, None, deck.title, deck.description, row=len(roots),
                        source_credit=_credit(deck))
        roots.append(root)
        by_parent: dict[TopicId | None, list[StoredTopic]] = defaultdict(list)
        for topic in store.topics(deck.id):
            by_parent[topic.parent_id].append(topic)
        stack: list[tuple[TreeNode, TopicId | None]] = [(root, None)]
        while stack:
            parent, parent_id = stack.pop()
            for topic in sorted(by_parent.get(parent_id, ()), key=lambda t: t.position):
                node = TreeNode("topic", deck.id, topic.id, topic.title, topic.notes, topic.step,
                                parent=parent, row=len(parent.children))
                parent.children.append(node)
                stack.append((node, topic.id))
    return roots


def find(roots: list[TreeNode], key: str) -> TreeNode | None:
    """The node with this :attr:`TreeNode.key`, if it still exists."""
    deck_id, _, topic_id = key.partition("/")
    for root in roots:
        if root.deck_id != deck_id:
            continue
        if not topic_id:
            return root
        for node in root.walk():
            if node.topic_id == topic_id:
                return node
    return None


def aggregate_counts(roots: list[TreeNode], per_topic: dict[tuple[DeckId, TopicId], TopicCounts]
                     ) -> dict[str, TopicCounts]:
    """Card counts per node key, each node counting its whole subtree."""
    totals: dict[str, TopicCounts] = {}
    for root in roots:
        for node in reversed(root.walk()):  # children before parents
            own = per_topic.get((node.deck_id, node.topic_id)) if node.topic_id else None
            total, due, new, known = ((own.total, own.due, own.new, own.known) if own
                                      else (0, 0, 0, 0))
            for child in node.children:
                sub = totals[child.key]
                total, due, new = total + sub.total, due + sub.due, new + sub.new
                known += sub.known
            totals[node.key] = TopicCounts(total, due, new, known)
    return totals
