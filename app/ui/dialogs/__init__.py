"""The app's dialogs: export, import, settings and backups."""
