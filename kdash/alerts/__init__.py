"""Alerts: what broke, when, and when it cleared; a pure engine over the store's snapshots (no I/O)."""
