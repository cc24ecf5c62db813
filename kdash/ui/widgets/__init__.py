"""Widgets the screens are built from: the virtualised table, panes, log views, detail sections."""
