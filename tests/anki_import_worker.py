"""Import Anki progress, holding still inside the transaction until killed (the kill test)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.clock import utc_now
from app.db.store import Store
from app.export.anki_progress import import_anki_progress


def main(data: Path, package: Path) -> int:
    def hold() -> None:  # the review log is written, the cards not yet: killed here
        print("WRITING", flush=True)
        sys.stdin.read()

    store = Store.open(data)
    import_anki_progress(store, data, package, now=utc_now(), during=hold)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
