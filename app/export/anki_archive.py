"""Open a package exported from Anki (.apkg or .colpkg) and unpack its collection, safely."""

# A package is a zip holding the collection as SQLite: ``collection.anki21b`` (current Anki,
# zstd-compressed), else ``collection.anki21`` or ``collection.anki2`` (legacy; a current package
# also carries a stub ``collection.anki2`` that only says "please update", so the newest wins).
# The file comes from anywhere: every size is bounded while reading, so a zip bomb or a lying
# header stops with a message instead of filling the disk.

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from app.db.anki_collection import AnkiPackageError

__all__ = ["MAX_COLLECTION_BYTES", "AnkiPackageError", "unpack_collection"]

#: The largest collection we unpack (a collection of 100,000 cards with years of reviews is
#: well under 200 MB).
MAX_COLLECTION_BYTES = 2 << 30
#: Deflate and zstd rarely beat 20:1 on a collection; a bomb does by orders of magnitude.
_MAX_RATIO = 200
_NEWEST_FIRST = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CHUNK = 1 << 20


def unpack_collection(package: Path, target: Path) -> str:
    """Write the package's collection (decompressed) to ``target``; return the entry's name."""
    try:
        archive = zipfile.ZipFile(package)
    except FileNotFoundError:
        raise AnkiPackageError(f"{package}: no such file. Choose the .apkg or .colpkg file "
                               "exported from Anki.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise AnkiPackageError(f"{package} is not a readable Anki package ({exc}): it may be "
                               "truncated or not a package. Export it from Anki again "
                               "(File > Export, with scheduling).") from None
    with archive:
        names = set(archive.namelist())
        entry = next((name for name in _NEWEST_FIRST if name in names), None)
        if entry is None:
            raise AnkiPackageError(f"{package} holds no Anki collection (no collection.anki2, "
                                   ".anki21 or .anki21b): it was not exported by Anki. Export "
                                   "it from Anki with File > Export.")
        info = archive.getinfo(entry)
        if info.file_size > MAX_COLLECTION_BYTES or (
                info.compress_size and info.file_size > _MAX_RATIO * max(info.compress_size,
                                                                          1 << 16)):
            raise _too_big(package, entry)
        try:
            with archive.open(info) as source, target.open("wb") as out:
                if entry.endswith("b"):
                    _unzstd(source, out, package, entry)
                else:
                    _copy_bounded(source, out, package, entry)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # our own disk, not the package
            raise AnkiPackageError(f"{package} is damaged or truncated ({entry}: {exc}). "
                                   "Export it from Anki again.") from None
    return entry


def _copy_bounded(source: IO[bytes], out: IO[bytes], package: Path, entry: str) -> None:
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > MAX_COLLECTION_BYTES:
            raise _too_big(package, entry)
        out.write(chunk)


def _unzstd(source: IO[bytes], out: IO[bytes], package: Path, entry: str) -> None:
    import zstandard  # only current packages need it

    try:
        with zstandard.ZstdDecompressor().stream_reader(source) as reader:
            _copy_bounded(reader, out, package, entry)  # type: ignore[arg-type]
    except zstandard.ZstdError as exc:
        raise AnkiPackageError(f"{package}: {entry} is not valid zstd data ({exc}): the package "
                               "is damaged. Export it from Anki again.") from None


def _too_big(package: Path, entry: str) -> AnkiPackageError:
    return AnkiPackageError(
        f"{package}: {entry} would unpack to more than {MAX_COLLECTION_BYTES >> 30} GiB (or "
        "far more than its compressed size): refused as unsafe. Export the package from Anki "
        "again.")

