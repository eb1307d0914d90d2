"""MLSD Study: learn the ML system design flow and practise it under interview conditions."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.2.0"
