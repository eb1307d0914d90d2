"""The text view for deck text: loads nothing, opens web links on a click, refuses the rest."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices, QHelpEvent, QImage, QTextCursor
from PySide6.QtWidgets import QApplication, QTextBrowser, QToolTip
from pytestqt.qtbot import QtBot

from app.ui.app import open_data
from app.ui.main_window import MainWindow, settings_for
from app.ui.safe_text import SafeTextBrowser, as_rich_text

pytestmark = pytest.mark.gui


class UrlRecorder(QObject):
    """Stands in for the system browser: QDesktopServices hands it the URLs it would open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser_opens(qapp: QApplication) -> Iterator[UrlRecorder]:
    recorder = UrlRecorder()
    for scheme in ("http", "https", "file", "javascript", "data"):
        QDesktopServices.setUrlHandler(scheme, recorder, "open")
    yield recorder
    for scheme in ("http", "https", "file", "javascript", "data"):
        QDesktopServices.unsetUrlHandler(scheme)


@pytest.fixture
def png(tmp_path: Path, qapp: QApplication) -> Path:
    """A real 400 x 300 image on disk: a view that loads it grows to its height."""
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    path = tmp_path / "secret.png"
    assert image.save(str(path))
    return path


def _height(view: QTextBrowser, html: str) -> float:
    view.setHtml(html)
    view.document().setTextWidth(500)
    return view.document().size().height()


def _shown(qtbot: QtBot, text: str = "", html: str = "") -> SafeTextBrowser:
    view = SafeTextBrowser()
    qtbot.addWidget(view)
    view.resize(500, 300)
    if html:
        view.setHtml(html)
    else:
        view.show_markdown(text)
    view.show()
    qtbot.waitExposed(view)
    return view


def _point_in(view: QTextBrowser, words: str) -> QPoint:
    found = view.document().find(words)
    assert not found.isNull(), words
    cursor = QTextCursor(view.document())
    cursor.setPosition(found.selectionStart() + 2)
    return view.cursorRect(cursor).center()


def test_no_image_or_style_sheet_is_loaded_from_a_file_or_data_url(qtbot: QtBot,
                                                                   png: Path) -> None:
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    QImage(str(png)).save(buffer, "PNG")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.data().data()).decode()
    css = png.with_name("big.css")
    css.write_text("p { font-size: 200px }", "utf-8")
    pages = [
        f'<img src="{QUrl.fromLocalFile(str(png)).toString()}">',
        f'<img src="{png}">',
        f'<img src="{data_url}">',
        f'<html><head><link rel="stylesheet" type="text/css" href="{css.as_uri()}"></head>'
        "<body><p>x</p></body></html>",
    ]
    plain, safe = QTextBrowser(), SafeTextBrowser()
    qtbot.addWidget(plain)
    qtbot.addWidget(safe)
    for html in pages:
        # A plain QTextBrowser reads the local file (or decodes the data: URL) and grows...
        assert _height(plain, html) > 200, html
        # ...the safe one loads nothing: no image, no style sheet.
        assert _height(safe, html) < 60, html
    image = safe.loadResource(2, QUrl.fromLocalFile(str(png)))
    assert isinstance(image, QImage) and image.isNull()
    assert safe.loadResource(3, QUrl("http://example.org/x.css")) == QByteArray()


def test_a_click_on_a_web_link_opens_it_in_the_system_browser(
        qtbot: QtBot, browser_opens: UrlRecorder) -> None:
    view = _shown(qtbot, "Read [the paper here](https://example.org/paper?x=1) first.")
    with qtbot.assertNotEmitted(view.refused):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=_point_in(view, "the paper here"))
    assert browser_opens.opened == ["https://example.org/paper?x=1"]


@pytest.mark.parametrize("href", ["file:///etc/passwd", "javascript:alert(1)",
                                  "data:text/html,x", "relative/page.html"])
def test_a_click_on_any_other_link_opens_nothing(qtbot: QtBot, browser_opens: UrlRecorder,
                                                 href: str) -> None:
    # Raw HTML given to the view directly: the view's own policy, not the renderer's, refuses.
    view = _shown(qtbot, html=f'<p>Go <a href="{href}">somewhere else</a> now</p>')
    with qtbot.waitSignal(view.refused) as refused:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=_point_in(view, "somewhere else"))
    assert refused.args == [QUrl(href).toDisplayString()]
    assert browser_opens.opened == []
    assert view.source() == QUrl()  # and the view did not follow it either


def test_enter_on_a_focused_link_counts_as_a_click(qtbot: QtBot,
                                                   browser_opens: UrlRecorder) -> None:
    view = _shown(qtbot, "Two links: [one](https://one.example) and [two](file:///two).")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # the first link gets the focus
    assert view.textCursor().selectedText() == "one"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert browser_opens.opened == ["https://one.example"]


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_link_title_tooltip_is_shown_as_text(qtbot: QtBot) -> None:
    view = _shown(qtbot, '[a web link](https://example.org "<b>bold</b> <img src=x.png>")')
    point = _point_in(view, "a web link")
    QApplication.sendEvent(view.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point)))
    assert QToolTip.text() == "<p>&lt;b&gt;bold&lt;/b&gt; &lt;img src=x.png&gt;</p>"
    QToolTip.hideText()


def test_set_markdown_cannot_bypass_the_sanitiser(qtbot: QtBot, png: Path) -> None:
    view = SafeTextBrowser()
    qtbot.addWidget(view)
    view.setMarkdown(f"<script>alert(1)</script> ![x]({png.as_uri()}) <img src='{png}'>")
    html = view.toHtml()
    assert "<img" not in html and "<script" not in html
    assert "<script>alert(1)</script>" in view.toPlainText()


def test_as_rich_text_shows_text_verbatim() -> None:
    assert as_rich_text('<img src="x"> & co\nnext') == (
        "<p>&lt;img src=&quot;x&quot;&gt; &amp; co<br>next</p>")


# --- the pages that show deck text ---------------------------------------------------------------

HOSTILE_DECK = """\
deck:
  id: hostile
  title: Hostile
  version: 1
  source:
    title: "Click me"
    url: "file:///etc/passwd"
topics:
  - id: evil
    title: '<img src="{png}"> Evil'
    notes: |
      Look: <script>alert(1)</script> and <img src="{png}"> and ![x]({uri}).

      [run](javascript:alert(1)), [read](file:///etc/passwd), [web](https://example.org).
"""


@pytest.fixture
def hostile_window(qtbot: QtBot, data_dir: Path, png: Path) -> Iterator[MainWindow]:
    decks = data_dir / "decks"
    decks.mkdir(parents=True)
    (decks / "hostile.yaml").write_text(
        HOSTILE_DECK.format(png=png, uri=png.as_uri()), "utf-8")
    store, report = open_data(data_dir)
    window = MainWindow(store, report, settings_for(data_dir))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    store.close()


def _assert_inert(view: QTextBrowser) -> None:
    html = view.toHtml()
    assert "<img" not in html and "<script" not in html
    assert 'href="file:' not in html and 'href="javascript:' not in html
    view.document().setTextWidth(500)
    assert view.document().size().height() < 250  # no 300-pixel image drawn


def test_the_notes_pane_shows_hostile_deck_text_as_text(hostile_window: MainWindow,
                                                        png: Path) -> None:
    window = hostile_window
    assert window.open_key("hostile/evil")
    assert window.heading.text() == f'<img src="{png}"> Evil'  # shown as text, not drawn
    assert window.heading.textFormat() == Qt.TextFormat.PlainText
    _assert_inert(window.notes)
    text = window.notes.toPlainText()
    assert "<script>alert(1)</script>" in text and "[run](javascript:alert(1))" in text
    assert 'href="https://example.org"' in window.notes.toHtml()
    assert window.open_key("hostile")
    _assert_inert(window.notes)
    assert "[Click me](file:///etc/passwd)" in window.notes.toPlainText()


def test_a_refused_link_in_the_notes_says_so(qtbot: QtBot, hostile_window: MainWindow,
                                             browser_opens: UrlRecorder) -> None:
    window = hostile_window
    window.notes.setHtml('<a href="file:///etc/passwd">read</a>')
    qtbot.mouseClick(window.notes.viewport(), Qt.MouseButton.LeftButton,
                     pos=_point_in(window.notes, "read"))
    assert window.statusBar().currentMessage() == (
        "Not opened: only web links open (file:///etc/passwd)")
    assert browser_opens.opened == []


def test_the_review_page_shows_hostile_cards_as_text(qtbot: QtBot,
                                                     hostile_window: MainWindow) -> None:
    window = hostile_window
    assert window.open_key("hostile/evil")
    qtbot.keyClick(window.tree, Qt.Key.Key_Space)  # the branch's overview
    qtbot.keyClick(window.pages.currentWidget(), Qt.Key.Key_Return)  # Study now
    page = window.review
    assert window.pages.currentWidget() is page
    assert page.context.textFormat() == Qt.TextFormat.PlainText
    _assert_inert(page.card_view)
    qtbot.keyClick(page, Qt.Key.Key_Space)  # the answer: the hostile notes
    assert page.view is not None and page.view.revealed
    _assert_inert(page.card_view)
    assert "<script>alert(1)</script>" in page.card_view.toPlainText()
