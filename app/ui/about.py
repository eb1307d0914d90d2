"""The About box's text: identity and version, credits, and where the data lives."""

from __future__ import annotations

import html
import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from app import __version__
from app.paths import APP_ID

UPSTREAM = "https://github.com/alirezadir/Machine-Learning-Interviews"


def about_html(data_dir: Path | None = None) -> str:
    """The About box: identity and version (from the package), credits, where data lives."""
    where = (f"<p>Your data: <code>{html.escape(str(data_dir))}</code></p>"
             if data_dir is not None else "")
    return (
        f"<h3>MLSD Study {html.escape(__version__)}</h3>"
        "<p>Learn the Machine Learning System Design flow with spaced repetition and practise "
        "it in timed mock interviews.</p>"
        "<p>The built-in deck follows the <i>Machine Learning System Design</i> outline by "
        f'Alireza Dirafzoon, from <a href="{UPSTREAM}">alirezadir/Machine-Learning-Interviews'
        "</a>, used under the MIT licence. The explanations are our own.</p>"
        "<p>MLSD Study is free software under the MIT licence.</p>"
        f"{where}<p><small>{APP_ID} · Python {html.escape(platform.python_version())} · "
        f"Qt {html.escape(qVersion())} · PySide6 {html.escape(pyside_version)}</small></p>"
    )
