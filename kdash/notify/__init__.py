"""Telling people about alerts outside the dashboard: the `--on-alert` hook runner (stdlib only)."""
