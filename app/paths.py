"""Where things live: the user's data folder and the folders shipped with the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "mlsd-study"
# The desktop's name for the app: the .desktop file, the icon and the AppStream metainfo.
APP_ID = "io.github.mlsdstudy.MLSDStudy"
ICON_SIZES = (48, 64, 128, 256)
DATA_ENV = "MLSD_STUDY_DATA"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` if given, else ``$MLSD_STUDY_DATA``, else the platform's user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    from platformdirs import user_data_dir  # only needed when no folder was given

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _shipped(name: str) -> Path:
    """A folder shipped beside the code: source tree, PyInstaller bundle or installed data."""
    here = Path(__file__).resolve().parent
    candidates = [here.parent / name, Path(sys.prefix) / "share" / APP_NAME / name]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def shipped_decks_dir() -> Path:
    return _shipped("decks")


def resources_dir() -> Path:
    return _shipped("resources")


def app_icon_files() -> list[Path]:
    """The app icon as shipped: the PNG renderings, smallest first, then the SVG."""
    icons = resources_dir() / "icons"
    return [icons / f"{APP_ID}-{size}.png" for size in ICON_SIZES] + [icons / f"{APP_ID}.svg"]


def user_decks_dir(data: Path) -> Path:
    """Decks the user wrote or imported; synced beside the shipped ones."""
    return data / "decks"
