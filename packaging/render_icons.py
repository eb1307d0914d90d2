"""Render the SVG app icon to the PNG sizes the desktop wants: python packaging/render_icons.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from app.paths import APP_ID, ICON_SIZES  # noqa: E402

ICONS = REPO / "resources" / "icons"


def render(svg: Path, size: int, target: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    # ARGB32 (not premultiplied) keeps the PNG's edge pixels exact.
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(target), "PNG"):
        raise SystemExit(f"render_icons: could not write {target}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = ICONS / f"{APP_ID}.svg"
    for size in ICON_SIZES:
        target = ICONS / f"{APP_ID}-{size}.png"
        render(svg, size, target)
        print(f"wrote {target.relative_to(REPO)}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
