"""The keys table: every menu command and page key, read by the menus, pages and shortcut help."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

Key = str | QKeySequence.StandardKey
#: "always", or only while the outline is the page shown (not while reviewing, in an
#: interview or on the statistics page).
EnabledWhen = Literal["always", "outline"]


@dataclass(frozen=True)
class ActionSpec:
    """One command: where it sits in the menus, its keys, and the window method it calls."""

    id: str
    menu: str
    text: str
    handler: str  # an attribute path on the window: "files.remove_deck", "outline.focus_filter"
    args: tuple[object, ...] = ()
    shortcuts: tuple[Key, ...] = ()
    tip: str = ""
    enabled_when: EnabledWhen = "always"
    separator_before: bool = False
    role: QAction.MenuRole | None = None


FILE, VIEW, STUDY, INTERVIEW, HELP = "&File", "&View", "&Study", "&Interview", "&Help"
EDIT = "&Edit"

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("import_outline", FILE, "&Import outline…", "files.import_outline",
               shortcuts=("Ctrl+O",),
               tip="Make a deck from a Markdown outline (headings and lists)"),
    ActionSpec("remove_deck", FILE, "&Remove this deck…", "files.remove_deck"),
    ActionSpec("check_deck", FILE, "&Check a deck file…", "files.check_deck_file",
               separator_before=True),
    ActionSpec("export", FILE, "&Export to Anki…", "export_to_anki", shortcuts=("Ctrl+E",)),
    ActionSpec("import_anki_progress", FILE, "Import &progress from Anki…",
               "files.import_anki_progress"),
    ActionSpec("back_up", FILE, "&Back up now", "files.back_up_now", separator_before=True),
    ActionSpec("restore", FILE, "Restore &backup…", "files.choose_backup"),
    ActionSpec("data_folder", FILE, "Open &data folder", "files.open_data_folder"),
    ActionSpec("settings", FILE, "Se&ttings…", "edit_settings",
               shortcuts=(QKeySequence.StandardKey.Preferences,), separator_before=True,
               role=QAction.MenuRole.PreferencesRole),
    ActionSpec("quit", FILE, "&Quit", "close", shortcuts=(QKeySequence.StandardKey.Quit,),
               separator_before=True),

    ActionSpec("edit_topic", EDIT, "&Edit topic…", "edit", args=("topic",), shortcuts=("F2",),
               tip="The selected topic's title, explanation and cards; add your own cards",
               enabled_when="outline"),
    ActionSpec("edit_conflicts", EDIT, "&Built-in deck changes…", "edit", args=("conflicts",),
               tip="Built-in text an update changed under your edits: keep yours or take it"),

    ActionSpec("find", VIEW, "&Find topic", "outline.focus_filter",
               shortcuts=(QKeySequence.StandardKey.Find,), enabled_when="outline"),
    ActionSpec("browse", VIEW, "&Browse cards", "show_browser", shortcuts=("Ctrl+B",),
               tip="Search every card, see its schedule and history, suspend, flag, forget"),
    ActionSpec("expand", VIEW, "&Expand all", "outline.tree.expandAll"),
    ActionSpec("statistics", VIEW, "&Statistics", "show_statistics",
               shortcuts=("Ctrl+Shift+T",)),
    ActionSpec("collapse", VIEW, "&Collapse to steps", "outline.collapse_to_roots"),

    ActionSpec("study_branch", STUDY, "&Study this branch", "start_review", args=("study",),
               tip="The overview of the selected topic and everything below it (new, "
                   "learning, due), then its cards (Space in the outline)",
               enabled_when="outline"),
    ActionSpec("cram_branch", STUDY, "&Cram this branch", "start_review", args=("cram",),
               tip="Practise every card of the branch now, without changing any schedule "
                   "(Shift+Space in the outline)",
               enabled_when="outline"),
    ActionSpec("study_all", STUDY, "Study &everything due", "start_review",
               args=("study", True), shortcuts=("Ctrl+Shift+S",), enabled_when="outline"),
    ActionSpec("suspend", STUDY, "S&uspend cards of this branch", "set_branch_suspended",
               args=(True,), enabled_when="outline", separator_before=True),
    ActionSpec("unsuspend", STUDY, "U&nsuspend cards of this branch", "set_branch_suspended",
               args=(False,), enabled_when="outline"),
    ActionSpec("unbury", STUDY, "Un&bury cards of this branch", "unbury_branch",
               enabled_when="outline"),

    ActionSpec("new_interview", INTERVIEW, "&New mock interview…", "new_interview",
               shortcuts=("Ctrl+I",)),
    ActionSpec("history", INTERVIEW, "Interview &history", "interview_history",
               shortcuts=("Ctrl+H",)),

    ActionSpec("shortcuts", HELP, "&Keyboard shortcuts", "show_shortcuts",
               shortcuts=("F1",)),
    ActionSpec("about", HELP, "&About MLSD Study", "show_about"),
)


@dataclass(frozen=True)
class PageKey:
    """Keys a page handles itself (not a menu command). The page binds them from here and the
    shortcut help lists them, so the two cannot disagree.

    ``keys`` are in QKeySequence's portable text; "Enter" is both the main Return key and the
    keypad's Enter, and a lone symbol ("-", "@") is the character typed, however the keyboard
    layout types it. Where a row's keys do different things, ``what`` names them in order.
    """

    where: str
    keys: tuple[str, ...]
    what: str

    def sequences(self, position: int) -> list[QKeySequence]:
        """What the key at ``position`` is bound as (two sequences for an Enter)."""
        sequence = QKeySequence(self.keys[position])
        combination = _first(sequence)
        if combination.key() != Qt.Key.Key_Enter:
            return [sequence]
        main = QKeyCombination(combination.keyboardModifiers(), Qt.Key.Key_Return)
        return [QKeySequence(main), sequence]

    def shown(self, position: int) -> str:
        """The key at ``position`` in the platform's native text."""
        return QKeySequence(self.keys[position]).toString(
            QKeySequence.SequenceFormat.NativeText)

    def text(self) -> str:
        """All the keys, as the shortcut help shows them."""
        return ", ".join(self.shown(position) for position in range(len(self.keys)))

    def index(self, event: QKeyEvent) -> int | None:
        """The position of the key ``event`` presses, or None if it is none of them."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        for position, key in enumerate(self.keys):
            if len(key) == 1 and not key.isalnum():
                if event.text() == key:
                    return position
                continue
            for sequence in self.sequences(position):
                combination = _first(sequence)
                if (combination.key() == event.key()
                        and combination.keyboardModifiers() == modifiers):
                    return position
        return None

    def matches(self, event: QKeyEvent) -> bool:
        return self.index(event) is not None


def _first(sequence: QKeySequence) -> QKeyCombination:
    first: QKeyCombination = sequence[0]  # type: ignore[index]  # not in PySide6's stubs
    return first


OUTLINE, REVIEWING, INTERVIEWING = "In the outline", "While reviewing", "In a mock interview"
OUTLINE_OPEN = PageKey(OUTLINE, ("Enter",), "Open or close the selected branch")
OUTLINE_STUDY = PageKey(OUTLINE, ("Space",), "Study the selected branch")
OUTLINE_CRAM = PageKey(OUTLINE, ("Shift+Space",), "Cram the selected branch")
OUTLINE_CLEAR = PageKey(OUTLINE, ("Esc",), "Clear the filter")
# A row of its own in the help, not on the outline's status line (which must fit the window).
OUTLINE_TO_MATCH = PageKey("In the topic filter", ("Down", "Enter"),
                           "Go to the best match: a topic with that title first")
REVIEW_CONFIRM = PageKey(REVIEWING, ("Space", "Enter"), "Show the answer; on the answer: Good")
REVIEW_GRADE = PageKey(REVIEWING, ("1", "2", "3", "4"), "Again, Hard, Good, Easy")
REVIEW_UNDO = PageKey(REVIEWING, ("Ctrl+Z",), "Undo the last answer")
REVIEW_BURY = PageKey(REVIEWING, ("-",), "Bury the card until tomorrow")
REVIEW_SUSPEND = PageKey(REVIEWING, ("@",), "Suspend the card")
REVIEW_INFO = PageKey(REVIEWING, ("I",), "Card info: the card and every answer")
REVIEW_EDIT = PageKey(REVIEWING, ("E",), "Edit the card (a generated card: its topic)")
#: The status line names where this session goes back to (review_page.status_text).
REVIEW_BACK = PageKey(REVIEWING, ("Esc",),
                      "Back to the outline (to the browser after studying its cards)")
INTERVIEW_START = PageKey(INTERVIEWING, ("Ctrl+Enter",), "Start the interview (set-up screen)")
INTERVIEW_STEP = PageKey(INTERVIEWING, ("Ctrl+Right", "Ctrl+Left"), "Next or previous step")
INTERVIEW_PAUSE = PageKey(INTERVIEWING, ("Ctrl+P",), "Pause or resume")
INTERVIEW_FOLLOWUP = PageKey(INTERVIEWING, ("Ctrl+Shift+A",), "Ask me a follow-up")
INTERVIEW_FINISH = PageKey(INTERVIEWING, ("Ctrl+Shift+Enter",), "Finish the interview")
INTERVIEW_LEAVE = PageKey(INTERVIEWING, ("Esc",), "Leave the set-up, review or history screen")
INTERVIEW_DELETE = PageKey(INTERVIEWING, ("Delete",), "Delete the interview (history, review)")
BROWSING = "In the card browser"  # as in Anki's browser; bound by app/ui/browser/page.py
BROWSER_SEARCH = PageKey(BROWSING, ("Ctrl+F",), "Go to the search box (Enter searches)")
BROWSER_SUSPEND = PageKey(BROWSING, ("Ctrl+J",), "Suspend or unsuspend the selected cards")
BROWSER_BURY = PageKey(BROWSING, ("Ctrl+Shift+J",), "Bury or unbury the selected cards")
BROWSER_FORGET = PageKey(BROWSING, ("Ctrl+Alt+N",), "Forget: make the selected cards new")
BROWSER_DUE = PageKey(BROWSING, ("Ctrl+Shift+D",), "Set the due date of the selected cards")
BROWSER_FLAG = PageKey(BROWSING, ("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"),
                       "Red, orange, green, blue flag (the same again removes it)")
BROWSER_INFO = PageKey(BROWSING, ("Ctrl+Shift+I",), "Card info")
BROWSER_TOPIC = PageKey(BROWSING, ("Ctrl+G",), "Go to the card's topic in the outline")
BROWSER_STUDY = PageKey(BROWSING, ("Ctrl+Enter",),
                        "Study these cards: the selected ones, or every card found")
BROWSER_BACK = PageKey(BROWSING, ("Esc",), "Back to the outline")
OVERVIEW = "On a branch's overview and finished screen"  # app/ui/overview_page.py, review_page
OVERVIEW_STUDY = PageKey(OVERVIEW, ("Enter", "Space"), "Study now (on the overview)")
OVERVIEW_CUSTOM = PageKey(OVERVIEW, ("C",), "Custom study…")
OVERVIEW_UNBURY = PageKey(OVERVIEW, ("U",), "Unbury the branch's buried cards")
# Any other page (statistics, …): an Esc no widget used reaches the window (app/ui/pages.py).
PAGE_BACK = PageKey("On the other pages", ("Esc",), "Back to the outline")
EDITING = "In the topic and card editors"  # app/ui/dialogs/edit_topic.py, edit_card.py
EDIT_SAVE_TOPIC = PageKey(EDITING, ("Ctrl+S",), "Save the topic's title and explanation")
EDIT_OPEN_CARD = PageKey(EDITING, ("Enter",), "Edit the card selected in the topic's list")
EDIT_DELETE_CARD = PageKey(EDITING, ("Delete",),
                           "Delete your selected card (or undo your edit of a built-in one)")
EDIT_SAVE_CARD = PageKey(EDITING, ("Ctrl+Enter",), "Save the card")
EDIT_CLOZE = PageKey(EDITING, ("Ctrl+Shift+C",), "Hide the selected words as the next cloze")

PAGE_KEYS: tuple[PageKey, ...] = (
    OUTLINE_OPEN, OUTLINE_STUDY, OUTLINE_CRAM, OUTLINE_CLEAR, OUTLINE_TO_MATCH,
    REVIEW_CONFIRM, REVIEW_GRADE, REVIEW_UNDO, REVIEW_BURY, REVIEW_SUSPEND, REVIEW_INFO,
    REVIEW_EDIT, REVIEW_BACK, OVERVIEW_STUDY, OVERVIEW_CUSTOM, OVERVIEW_UNBURY,
    INTERVIEW_START, INTERVIEW_STEP, INTERVIEW_PAUSE, INTERVIEW_FOLLOWUP, INTERVIEW_FINISH,
    INTERVIEW_LEAVE, INTERVIEW_DELETE, PAGE_BACK,
    BROWSER_SEARCH, BROWSER_SUSPEND, BROWSER_BURY, BROWSER_FORGET, BROWSER_DUE, BROWSER_FLAG,
    BROWSER_INFO, BROWSER_TOPIC, BROWSER_STUDY, BROWSER_BACK,
    EDIT_SAVE_TOPIC, EDIT_OPEN_CARD, EDIT_DELETE_CARD, EDIT_SAVE_CARD, EDIT_CLOZE,
)


def bind_page_key(widget: QWidget, key: PageKey, *slots: Callable[[], object]) -> None:
    """Shortcuts on ``widget`` and its children: the key at position i calls ``slots[i]``."""
    if len(slots) != len(key.keys):
        raise ValueError(f"{len(slots)} slots for the {len(key.keys)} keys of {key.what!r}")
    for position, slot in enumerate(slots):
        for sequence in key.sequences(position):
            shortcut = QShortcut(sequence, widget)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)


def resolve(owner: object, path: str) -> Callable[..., object]:
    """The callable an action's ``handler`` names, looked up from ``owner``."""
    target = owner
    for name in path.split("."):
        target = getattr(target, name)
    if not callable(target):
        raise TypeError(f"action handler {path!r} is not callable")
    return target


#: Keys for a standard key that some platforms leave unbound (Qt's Preferences is empty on
#: Windows and most Linux desktops): used only where the platform gives none.
FALLBACKS: dict[QKeySequence.StandardKey, str] = {
    QKeySequence.StandardKey.Preferences: "Ctrl+,",
}


def _sequences(spec: ActionSpec) -> list[QKeySequence]:
    # A standard key is its platform's primary binding, and none on some platforms.
    sequences = []
    for key in spec.shortcuts:
        sequence = QKeySequence(key)
        if sequence.isEmpty() and isinstance(key, QKeySequence.StandardKey):
            sequence = QKeySequence(FALLBACKS.get(key, ""))
        if not sequence.isEmpty():
            sequences.append(sequence)
    return sequences


def build_menus(window: QWidget, menu_bar: QMenuBar,
                specs: Iterable[ActionSpec] = ACTIONS) -> dict[str, QAction]:
    """Make the menus and their actions from the table; the actions by id."""
    menus: dict[str, QMenu] = {}
    actions: dict[str, QAction] = {}
    for spec in specs:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = menus[spec.menu] = menu_bar.addMenu(spec.menu)
        action = QAction(spec.text, window)
        action.setShortcuts(_sequences(spec))
        if spec.tip:
            action.setToolTip(spec.tip)
        if spec.role is not None:
            action.setMenuRole(spec.role)
        # Looked up when triggered, so a command's module loads when it is first used;
        # `triggered` passes `checked`, which the handlers do not take.
        action.triggered.connect(
            lambda *_, path=spec.handler, args=spec.args: resolve(window, path)(*args))
        if spec.separator_before:
            menu.addSeparator()
        menu.addAction(action)
        actions[spec.id] = action
    return actions


def shortcut_rows(specs: Iterable[ActionSpec] = ACTIONS,
                  page_keys: Iterable[PageKey] = PAGE_KEYS) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every command that has keys, menus first, as the help shows
    them; keys are in the platform's native text."""
    rows: list[tuple[str, str, str]] = []
    for spec in specs:
        keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in _sequences(spec)]
        if keys:
            where = spec.menu.replace("&", "") + " menu"
            rows.append((where, ", ".join(keys), spec.text.replace("&", "").rstrip("…")))
    rows.extend((k.where, k.text(), k.what) for k in page_keys)
    return rows
