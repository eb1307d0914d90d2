"""Where things live: the user's data folder and the folders shipped with the app."""

from __future__ import annotations

import os
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


#: Where the shipped folders are as package data (``app/assets/...`` in a wheel, a ``--user``
#: or pipx install and the PyInstaller bundle) and where they are in a source checkout (an
#: editable install or a run from the clone). pyproject.toml maps one onto the other.
SHIPPED_FOLDERS = {"decks": "decks", "icons": "resources/icons"}


#: The ``app`` package's folder: what ``importlib.resources.files("app")`` gives for a package on
#: the file system (every way the app is installed), without importing importlib.resources and
#: tempfile on the way to the first paint.
PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """A folder shipped with the app, found beside the ``app`` package's modules."""
    package = PACKAGE
    packaged = package / "assets" / name
    if packaged.is_dir():
        return packaged
    return package.parent / SHIPPED_FOLDERS[name]


def shipped_decks_dir() -> Path:
    return _shipped("decks")


def icons_dir() -> Path:
    return _shipped("icons")


def app_icon_files() -> list[Path]:
    """The app icon as shipped: the PNG renderings, smallest first, then the SVG."""
    icons = icons_dir()
    return [icons / f"{APP_ID}-{size}.png" for size in ICON_SIZES] + [icons / f"{APP_ID}.svg"]


def user_decks_dir(data: Path) -> Path:
    """Decks the user wrote or imported; synced beside the shipped ones."""
    return data / "decks"
