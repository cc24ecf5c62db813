"""Locate the Textual stylesheets, wherever kdash runs from.

The stylesheets live in the top-level `styles/` directory of the repository and are copied into the
wheel as `kdash/styles/` (pyproject force-include). An installed wheel therefore finds them beside
the package, while a checkout or an editable install finds them one level up. Paths are absolute
because Textual resolves a relative CSS_PATH against the file of the *concrete* app class.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent
STYLESHEET_NAMES = ("app.tcss",)


def styles_dir() -> Path:
    """The directory holding the .tcss files: packaged copy first, then the checkout's."""
    for candidate in (_PACKAGE_DIR / "styles", _PACKAGE_DIR.parent / "styles"):
        if (candidate / STYLESHEET_NAMES[0]).is_file():
            return candidate
    raise FileNotFoundError(f"kdash stylesheets not found beside {_PACKAGE_DIR}")


def stylesheet_paths() -> list[Path]:
    """Every stylesheet, in load order (app.tcss first, the rest alphabetically)."""
    directory = styles_dir()
    rest = sorted(p for p in directory.glob("*.tcss") if p.name not in STYLESHEET_NAMES)
    return [directory / name for name in STYLESHEET_NAMES] + rest
