"""The mock-interview screens: set-up, running, review and history."""
