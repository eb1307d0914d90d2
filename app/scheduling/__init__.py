"""FSRS scheduling and the review session state machine."""
