"""Typed, immutable records of cluster objects and the pure functions that build them.

This package is the floor of kdash: it imports only the standard library, so the health
scorer, the cluster service, the UI and `kdash check` all speak the same types.
"""
