"""A text view for deck text that loads nothing and opens only web links, on a click."""

from __future__ import annotations

import html

from PySide6.QtCore import QByteArray, QEvent, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QHelpEvent, QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QToolTip, QWidget

from app.decks.render import is_web_link, render_markdown

__all__ = ["SafeTextBrowser", "as_rich_text"]


def as_rich_text(text: str) -> str:
    """Plain ``text`` as Qt rich text that shows it verbatim, line breaks kept.

    For tooltips and message boxes, whose text Qt guesses to be HTML when it looks like it:
    a deck title such as ``<img src="file:///...">`` would otherwise be drawn as an image.
    """
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


class SafeTextBrowser(QTextBrowser):
    """A read-only text view for deck text, safe whatever the HTML it is given.

    - Loads no resource: no image, style sheet or page from a file, ``data:`` URL, ``qrc:``
      or the network. (The HTML of :func:`app.decks.render.render_markdown` has none anyway.)
    - Opens no link itself: a click (or Enter on a focused link) on an http(s) link opens it
      in the system browser; any other link is not opened and ``refused`` says which.
    - Shows a link's title tooltip as text, never as HTML.
    """

    #: A link that was clicked but not opened, as the user would read it.
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._html = ""
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)

    def show_markdown(self, text: str) -> None:
        """Show deck Markdown, sanitised (see :func:`app.decks.render.render_markdown`)."""
        self.setHtml(render_markdown(text))

    def setHtml(self, text: str) -> None:
        # Kept to lay it out again when the theme changes: Qt bakes a link's colour into
        # the document when it is set.
        self._html = text
        super().setHtml(text)

    def setPlainText(self, text: str) -> None:
        self._html = ""
        super().setPlainText(text)

    def clear(self) -> None:
        self._html = ""
        super().clear()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._html:
            scrolled = self.verticalScrollBar().value()
            super().setHtml(self._html)
            self.verticalScrollBar().setValue(scrolled)

    def setMarkdown(self, markdown: str,
                    features: QTextDocument.MarkdownFeature = (
                        QTextDocument.MarkdownFeature.MarkdownDialectGitHub)) -> None:
        # Qt's own Markdown passes raw HTML through: never use it for deck text.
        self.show_markdown(markdown)

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        # The answer must be a value, never None: on None (and on bytes that are not an image)
        # Qt falls back to reading a local file itself. A null image draws nothing.
        if kind == QTextDocument.ResourceType.ImageResource.value:
            return QImage()
        return QByteArray()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.cursorForPosition(event.pos()).charFormat().toolTip()
            if tip:
                QToolTip.showText(event.globalPos(), as_rich_text(tip), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def _on_anchor(self, url: QUrl) -> None:
        if is_web_link(url.toString()):
            QDesktopServices.openUrl(url)
        else:
            self.refused.emit(url.toDisplayString())
