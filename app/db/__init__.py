"""The one data layer: every SQL statement the app runs on its database, and the schema."""
