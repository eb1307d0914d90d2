"""Export to Anki: rendering, notes, the collection, progress and the package."""
