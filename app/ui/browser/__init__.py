"""The card browser (Ctrl+B): search every card, see its schedule and history, act on cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.browser.page import BrowserPage
    from app.ui.main_window import MainWindow

__all__ = ["browser_page"]


def browser_page(window: MainWindow, query: str | None = None) -> BrowserPage:
    """The window's browser page, built and added to its pages the first time (finding every
    card); with ``query``, that search is run. The window shows it, then calls its
    ``focus_search``."""
    from app.ui.browser.page import BrowserPage

    page = window.pages.findChild(BrowserPage)
    if page is None:
        page = BrowserPage(window.store, window.clock, window.local, window)
        window.pages.addWidget(page)
        page.search("" if query is None else query)
    elif query is not None:
        page.search(query)
    else:
        page.model.refresh()  # the cards may have been studied since
        page.show_current()
    return page
