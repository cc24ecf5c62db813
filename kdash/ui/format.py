"""The text builders of kdash/ui/render/text.py, under the import path the screens and widgets use.

The builders moved into kdash/ui/render with the row builders (which may import nothing of the UI
outside that package); this module only re-exports them.
"""

from __future__ import annotations

from kdash.ui.render.text import (
    BAD_STATES,
    ERROR_STYLE,
    GRADE_STYLES,
    INFO_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    SEVERITY_CLASSES,
    SEVERITY_STYLES,
    WAITING_STATES,
    WARNING_STYLE,
    age_seconds,
    age_text,
    clean,
    first_line,
    grade_text,
    images_text,
    joined,
    number,
    ratio,
    safe,
    severity_class,
    severity_text,
    short_image,
    state_text,
    usage_bar,
)

__all__ = [
    "BAD_STATES",
    "ERROR_STYLE",
    "GRADE_STYLES",
    "INFO_STYLE",
    "MUTED_STYLE",
    "OK_STYLE",
    "SEVERITY_CLASSES",
    "SEVERITY_STYLES",
    "WAITING_STATES",
    "WARNING_STYLE",
    "age_seconds",
    "age_text",
    "clean",
    "first_line",
    "grade_text",
    "images_text",
    "joined",
    "number",
    "ratio",
    "safe",
    "severity_class",
    "severity_text",
    "short_image",
    "state_text",
    "usage_bar",
]
