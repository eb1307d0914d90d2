"""The set-up screen of a mock interview: pick or deal a question, choose the length and split."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.interview.budgets import Budgets, default_budgets
from app.interview.steps import StepInfo
from app.model import Question
from app.ui.actions import INTERVIEW_LEAVE, INTERVIEW_START, bind_page_key
from app.ui.interview.display import ElidedLabel, FlowRow, button_row, push_button
from app.ui.safe_text import SafeTextBrowser

CATEGORY_NAMES = {"nlp": "NLP", "trust-and-safety": "Trust and safety"}
PRESET_MINUTES = (30, 45, 60)
REMEMBERED = "Time budget per step (remembered)"
NOT_REMEMBERED = "Time budget per step"
BUDGETS_SHARE = 0.6


class BudgetRows(QScrollArea):
    """The budget rows, scrolling when the screen is short. It asks for the rows' size as
    they are now (Qt's keeps the first, from before a font change) and its scroll bar's
    width too, so the titles are not elided just because the rows scroll."""

    def sizeHint(self) -> QSize:
        rows = self.widget()
        if rows is None:
            return super().sizeHint()
        hint, frame = rows.sizeHint(), 2 * self.frameWidth()
        return QSize(hint.width() + frame + self.verticalScrollBar().sizeHint().width(),
                     hint.height() + frame)


class SetupScreen(QWidget):
    """The question bank by category, the duration and the editable budget per step.

    ``load_budgets`` gives the split remembered for a length; the page starts the interview.
    """

    start_requested = Signal()
    deal_requested = Signal()
    history_requested = Signal()
    back_requested = Signal()
    #: The index, in the titles given, of the deck chosen to interview on.
    deck_chosen = Signal(int)

    def __init__(self, questions: Sequence[Question], steps: Sequence[StepInfo],
                 load_budgets: Callable[[int], Budgets], parent: QWidget | None = None,
                 deck_titles: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.questions = tuple(questions)
        self.load_budgets = load_budgets
        #: The split "Reset to defaults" restores for a length (the page sets it per deck).
        self.default_budgets: Callable[[int], Budgets] = default_budgets
        self._rendering = False
        self.deck_box = QComboBox()
        self.deck_box.setAccessibleName("Deck")
        self.deck_box.addItems(list(deck_titles))
        self.deck_box.currentIndexChanged.connect(self.deck_chosen.emit)
        self.deck_note = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.deck_note.hide()

        # Built first: choosing a question enables Start.
        self.start_button = push_button("Start interview", self.start_requested,
                                        INTERVIEW_START.text())
        self.start_button.setDefault(True)
        buttons = button_row([push_button("Back to outline", self.back_requested),
                              push_button("History…", self.history_requested)],
                             [self.start_button])
        self.splitter = splitter = QSplitter(childrenCollapsible=False)
        splitter.addWidget(self._build_questions())
        self.length_side = self._build_length(steps)
        splitter.addWidget(self.length_side)
        self._split_by_hand = False  # once the handle is dragged, the person's split stays
        splitter.splitterMoved.connect(lambda *_: setattr(self, "_split_by_hand", True))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<h2>New mock interview</h2>"))
        deck_row = QHBoxLayout()
        deck_label = QLabel("&Deck:")
        deck_label.setBuddy(self.deck_box)
        deck_row.addWidget(deck_label)
        deck_row.addWidget(self.deck_box, 1)
        layout.addLayout(deck_row)
        layout.addWidget(self.deck_note)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        bind_page_key(self, INTERVIEW_START, self.start_requested.emit)
        bind_page_key(self, INTERVIEW_LEAVE, self.back_requested.emit)
        self.setFocusProxy(self.question_tree)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._split()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the titles ask for another width
            QTimer.singleShot(0, self, self._split)

    def _split(self) -> None:
        """The budgets the room their step titles ask for at the font in use, but at most
        ``BUDGETS_SHARE`` of a narrow screen; the question list the rest."""
        if self._split_by_hand:
            return
        room = self.splitter.width() - self.splitter.handleWidth()
        budgets = self.length_side
        wanted = budgets.sizeHint().width()
        width = min(wanted, max(budgets.minimumSizeHint().width(), int(room * BUDGETS_SHARE)))
        self.splitter.setSizes([room - width, width])

    # --- construction ----------------------------------------------------------------------------

    def _build_questions(self) -> QWidget:
        """The question bank by category, a button that deals one, and the chosen prompt."""
        self.question_tree = QTreeWidget()
        self.question_tree.setHeaderHidden(True)
        self.question_tree.setAccessibleName("Questions")
        self.question_tree.currentItemChanged.connect(self._on_question)
        self._fill_question_tree()
        self.question_prompt = SafeTextBrowser()
        deal = push_button(
            "Deal me a question", self.deal_requested,
            "A random question, favouring the categories you have practised least")

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Pick a question</b>"))
        layout.addWidget(self.question_tree, 3)
        layout.addWidget(deal)
        layout.addWidget(self.question_prompt, 2)
        return left

    def _fill_question_tree(self) -> None:
        by_category: dict[str, QTreeWidgetItem] = {}
        for question in self.questions:
            category = question.category or "other"
            if category not in by_category:
                group = QTreeWidgetItem([CATEGORY_NAMES.get(
                    category, category.replace("-", " ").capitalize())])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                by_category[category] = group
                self.question_tree.addTopLevelItem(group)
            item = QTreeWidgetItem([question.title])
            item.setData(0, Qt.ItemDataRole.UserRole, question.id)
            by_category[category].addChild(item)
        self.question_tree.expandAll()

    def _build_length(self, steps: Sequence[StepInfo]) -> QWidget:
        """The duration and the budget per step."""
        durations = self._build_durations()
        budgets = self._build_budgets(steps)

        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Duration</b>"))
        layout.addLayout(durations)
        layout.addWidget(budgets)
        layout.addStretch(1)
        return right

    def _build_durations(self) -> FlowRow:
        """A radio button per preset length, and a custom length in minutes (on a line of
        their own when the column is narrow)."""
        self.duration_buttons = QButtonGroup(self)
        radios: list[QWidget] = []
        for minutes in PRESET_MINUTES:
            radio = QRadioButton(f"{minutes} min")
            self.duration_buttons.addButton(radio, minutes)
            radios.append(radio)
        custom = QRadioButton("Custom")
        self.duration_buttons.addButton(custom, 0)
        self.custom_minutes = QSpinBox(minimum=10, maximum=240, suffix=" min", value=50)
        custom_row = QWidget()
        pair = QHBoxLayout(custom_row)
        pair.setContentsMargins(0, 0, 0, 0)
        pair.addWidget(custom)
        pair.addWidget(self.custom_minutes)
        durations = FlowRow([*radios, custom_row])
        self.duration_buttons.idToggled.connect(self._duration_toggled)
        self.custom_minutes.valueChanged.connect(lambda _v: self._custom_changed())
        self.custom_minutes.setEnabled(False)
        return durations

    def _build_budgets(self, steps: Sequence[StepInfo]) -> QGroupBox:
        """A minutes box per step, their total, and a reset to the default split.

        A long step title elides in the middle (whole in its tooltip) rather than widen the
        window; the rows scroll when the window is too short for them (a large font), so the
        total and the buttons stay in view.
        """
        self.budget_spins: list[QSpinBox] = []
        self.step_labels: list[ElidedLabel] = []
        rows = QWidget()
        grid = QGridLayout(rows)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(0, 1)
        for index, step in enumerate(steps):
            spin = QSpinBox(minimum=0, maximum=120, suffix=" min")
            spin.valueChanged.connect(self._budgets_edited)
            label = ElidedLabel(step.short_label)
            label.setBuddy(spin)
            self.step_labels.append(label)
            grid.addWidget(label, index, 0)
            grid.addWidget(spin, index, 1)
            self.budget_spins.append(spin)
        grid.setRowStretch(len(steps), 1)
        scroller = BudgetRows()
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidgetResizable(True)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(rows)
        self.budget_total = QLabel()
        reset = QPushButton("Reset to defaults")
        reset.clicked.connect(self._reset_budgets)
        totals = QHBoxLayout()
        totals.addWidget(self.budget_total)
        totals.addStretch(1)
        totals.addWidget(reset)
        self.budgets_box = QGroupBox(REMEMBERED)
        box = QVBoxLayout(self.budgets_box)
        box.addWidget(scroller, 1)
        box.addLayout(totals)
        return self.budgets_box

    # --- state -----------------------------------------------------------------------------------

    def prepare(self, minutes: int) -> None:
        """Ready for a new interview of ``minutes`` with its remembered split; a question is
        selected (the first, unless one already is)."""
        button = self.duration_buttons.button(minutes if minutes in PRESET_MINUTES else 0)
        if minutes not in PRESET_MINUTES:
            self.custom_minutes.setValue(minutes)
        button.setChecked(True)
        self._load_budgets()
        if self.question_tree.currentItem() is None:
            first = self.question_tree.topLevelItem(0)
            child = first.child(0) if first is not None and first.childCount() else None
            if child is not None:
                self.question_tree.setCurrentItem(child)

    def show_deck(self, questions: Sequence[Question], steps: Sequence[StepInfo],
                  note: str, *, remembered: bool = True) -> None:
        """The chosen deck's questions, its steps (only those it has) and one-line note
        (empty: none); the first question is selected and the split reloaded for the length
        chosen. ``remembered``: whether the split edited here is kept for next time."""
        self.questions = tuple(questions)
        self.question_tree.clear()
        self._fill_question_tree()
        for label, spin, step in zip(self.step_labels, self.budget_spins, steps, strict=True):
            label.setText(step.short_label)
            label.setVisible(step.present)
            spin.setVisible(step.present)
        self.budgets_box.setTitle(REMEMBERED if remembered else NOT_REMEMBERED)
        self.deck_note.setText(note)
        self.deck_note.setVisible(bool(note))
        self.prepare(self._minutes())

    def selected_question(self) -> Question | None:
        item = self.question_tree.currentItem()
        question_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((q for q in self.questions if q.id == question_id), None)

    def select_question(self, question_id: str) -> None:
        for top in range(self.question_tree.topLevelItemCount()):
            group = self.question_tree.topLevelItem(top)
            if group is None:
                continue
            for row in range(group.childCount()):
                item = group.child(row)
                if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == question_id:
                    self.question_tree.setCurrentItem(item)
                    return

    def _on_question(self, *_: object) -> None:
        question = self.selected_question()
        self.question_prompt.show_markdown(
            f"**{question.title}**\n\n{question.prompt}" if question else
            "Choose a question on the left, or let the app deal one.")
        self.start_button.setEnabled(question is not None)

    def _minutes(self) -> int:
        chosen = self.duration_buttons.checkedId()
        return chosen if chosen > 0 else self.custom_minutes.value()

    def _load_budgets(self) -> None:
        self._show_budgets(self.load_budgets(self._minutes()))

    def _duration_toggled(self, _id: int, on: bool) -> None:
        self.custom_minutes.setEnabled(self.duration_buttons.checkedId() == 0)
        if on:
            self._load_budgets()

    def _custom_changed(self) -> None:
        if self.duration_buttons.checkedId() == 0:
            self._load_budgets()

    def _reset_budgets(self) -> None:
        self._show_budgets(self.default_budgets(self._minutes()))

    def _show_budgets(self, budgets: Budgets) -> None:
        self._rendering = True
        for spin, minutes in zip(self.budget_spins, budgets.minutes, strict=True):
            spin.setValue(minutes)
        self._rendering = False
        self._budgets_edited()

    def _budgets_edited(self) -> None:
        if self._rendering:
            return
        total = sum(s.value() for s in self.budget_spins)
        self.budget_total.setText(f"Total: {total} min")

    def current_budgets(self) -> Budgets:
        """The split as edited; raises ValueError for one an interview cannot run with."""
        minutes = tuple(s.value() for s in self.budget_spins)
        return Budgets(total_minutes=sum(minutes), minutes=minutes)
