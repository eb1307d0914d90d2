"""The one data layer: every SQL statement the app runs."""
