"""The colour theme and the base font size, applied live to the running application."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.db.settings import Appearance, Theme

THEME_NAMES: dict[Theme, str] = {"system": "System", "light": "Light", "dark": "Dark"}

Role, Group = QPalette.ColorRole, QPalette.ColorGroup

# Explicit palettes rather than only a colour-scheme hint: the hint does nothing on platforms
# without a dark theme (and offscreen), and Fusion draws whatever palette it is given the same
# way everywhere.
_LIGHT = {
    Role.Window: "#efefef", Role.WindowText: "#1a1a1a", Role.Base: "#ffffff",
    Role.AlternateBase: "#f5f5f5", Role.ToolTipBase: "#ffffdc", Role.ToolTipText: "#1a1a1a",
    Role.PlaceholderText: "#8a8a8a", Role.Text: "#1a1a1a", Role.Button: "#efefef",
    Role.ButtonText: "#1a1a1a", Role.BrightText: "#ffffff", Role.Light: "#ffffff",
    Role.Midlight: "#e3e3e3", Role.Mid: "#b8b8b8", Role.Dark: "#9f9f9f", Role.Shadow: "#767676",
    Role.Highlight: "#2f7fd0", Role.HighlightedText: "#ffffff", Role.Link: "#1a5fb4",
    Role.LinkVisited: "#7a3fb4", Role.Accent: "#2f7fd0",
}
_DARK = {
    # Fusion draws check boxes and frames in window.darker(140): the window must be light
    # enough, and the base dark enough, for an unticked box to show on a list or text field.
    Role.Window: "#353535", Role.WindowText: "#e6e6e6", Role.Base: "#1c1c1c",
    Role.AlternateBase: "#262626", Role.ToolTipBase: "#3a3a3a", Role.ToolTipText: "#e6e6e6",
    Role.PlaceholderText: "#8c8c8c", Role.Text: "#e6e6e6", Role.Button: "#3c3c3c",
    Role.ButtonText: "#e6e6e6", Role.BrightText: "#ffffff", Role.Light: "#4a4a4a",
    Role.Midlight: "#3d3d3d", Role.Mid: "#5a5a5a", Role.Dark: "#1a1a1a", Role.Shadow: "#0d0d0d",
    Role.Highlight: "#3d7bd9", Role.HighlightedText: "#ffffff", Role.Link: "#7ab4ff",
    Role.LinkVisited: "#c29bff", Role.Accent: "#3d7bd9",
}
# Disabled widgets: muted text, the highlight without its colour.
_DISABLED = {
    "light": {Role.WindowText: "#a0a0a0", Role.Text: "#a0a0a0", Role.ButtonText: "#a0a0a0",
              Role.Highlight: "#c8c8c8", Role.HighlightedText: "#7a7a7a"},
    "dark": {Role.WindowText: "#7a7a7a", Role.Text: "#7a7a7a", Role.ButtonText: "#7a7a7a",
             Role.Highlight: "#4a4a4a", Role.HighlightedText: "#9a9a9a"},
}
_SCHEMES = {"system": Qt.ColorScheme.Unknown, "light": Qt.ColorScheme.Light,
            "dark": Qt.ColorScheme.Dark}


@dataclass(frozen=True)
class _Platform:
    """What the application looked like before any change: restored by "system"/"default"."""

    style: str
    font: QFont


_platform: _Platform | None = None  # one QApplication per process: remembered at the first call


def palette(theme: Theme) -> QPalette:
    """The explicit palette of the light or dark theme."""
    colours = _DARK if theme == "dark" else _LIGHT
    result = QPalette()
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    for role, colour in _DISABLED["dark" if theme == "dark" else "light"].items():
        result.setColor(Group.Disabled, role, QColor(colour))
    return result


def default_font_size(app: QApplication) -> float:
    """The platform's font size in points (what a font size of 0 means)."""
    return _remembered(app).font.pointSizeF()


def _remembered(app: QApplication) -> _Platform:
    global _platform
    if _platform is None:
        _platform = _Platform(style=app.style().name(), font=QFont(app.font()))
    return _platform


def apply_appearance(app: QApplication, appearance: Appearance) -> None:
    """Set the theme and font size on ``app``; open windows follow at once.

    Light and dark use the Fusion style with an explicit palette (and tell the platform, for
    window frames); "system" restores the platform's style and palette. The font size changes
    the application font, and widgets given a font of their own (headings, the card) are
    scaled by the same factor so they keep their size relative to the text around them.
    """
    if _platform is None and appearance.theme == "system" and appearance.font_size == 0:
        return  # nothing changed yet: the platform's look is in place (saves ~5 ms at start)
    platform = _remembered(app)
    _apply_theme(app, appearance.theme, platform)
    _apply_font_size(app, appearance.font_size, platform)


def _apply_theme(app: QApplication, theme: Theme, platform: _Platform) -> None:
    style = platform.style if theme == "system" else "fusion"
    if app.style().name().lower() != style.lower():
        app.setStyle(style)  # resets the palette, so it goes first
    app.styleHints().setColorScheme(_SCHEMES[theme])
    # A default-constructed palette resolves nothing: the platform's palette is back.
    app.setPalette(QPalette() if theme == "system" else palette(theme))
    # Qt posts the change to each widget; deliver it now, so that whoever asked sees it done.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationPaletteChange)
    refresh_rich_text(app.allWidgets())


def refresh_rich_text(widgets: Iterable[QWidget]) -> None:
    """Lay out the rich text of these labels again: Qt bakes a link's colour into the text
    when it is set, so links would keep the old theme's colour until the text changed.
    (Text views re-render themselves: app/ui/safe_text.py.)"""
    for label in widgets:
        if not isinstance(label, QLabel) or not label.text():
            continue
        # Auto text with a tag may be rich; laying out a plain one again costs nothing more.
        rich = label.textFormat() == Qt.TextFormat.RichText or (
            label.textFormat() == Qt.TextFormat.AutoText and "<" in label.text())
        if rich:
            text = label.text()
            label.clear()  # setText with the same text does nothing
            label.setText(text)


def _apply_font_size(app: QApplication, font_size: int, platform: _Platform) -> None:
    target = QFont(platform.font)
    if font_size > 0:
        target.setPointSizeF(font_size)
    if app.font() == target:
        return
    old, new = app.font().pointSizeF(), target.pointSizeF()
    # Sizes are read before anything changes: a widget's font may follow its parent's.
    scaled = []
    if old > 0 and new > 0:
        for widget in app.allWidgets():
            if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                font = widget.font()
                if font.pointSizeF() > 0:
                    scaled.append((widget, font, font.pointSizeF() * new / old))
    app.setFont(target)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationFontChange)
    for widget, font, size in scaled:
        font.setPointSizeF(size)
        widget.setFont(font)
