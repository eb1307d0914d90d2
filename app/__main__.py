"""``python -m app`` runs the same front door as the ``mlsd-study`` script."""

from __future__ import annotations

import sys

from app.cli import main

sys.exit(main())
