"""The declarative parts of ResourceTable: its key bindings, component classes and default CSS
(kept here so the widget module is about data, drawing and keys' actions)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

BINDINGS: list[BindingType] = [
    Binding("up,k", "cursor_up", "Up", show=False, id="table-cursor-up"),
    Binding("down,j", "cursor_down", "Down", show=False, id="table-cursor-down"),
    Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table-page-up"),
    Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table-page-down"),
    Binding("home,g", "first", "First row", show=False, id="table-first"),
    Binding("end,G", "last", "Last row", show=False, id="table-last"),
    Binding("enter", "select", "Open", id="table-select"),
    Binding("shift+left", "sort_column(-1)", "Sort ←", show=False, id="table-sort-left"),
    Binding("shift+right", "sort_column(1)", "Sort →", show=False, id="table-sort-right"),
    Binding("O", "flip_order", "Flip order", show=False, id="table-sort-flip"),
    Binding("left", "scroll_text(-1)", "Scroll text ←", show=False, id="table-scroll-left"),
    Binding("right", "scroll_text(1)", "Scroll text →", show=False, id="table-scroll-right"),
]

ROW_CLASSES = ("error", "warning", "info", "ok", "muted")

COMPONENT_CLASSES: set[str] = {
    "resource-table--header",
    "resource-table--sorted",
    "resource-table--cursor",
    "resource-table--cursor-blurred",
    "resource-table--placeholder",
    *(f"resource-table--row-{name}" for name in ROW_CLASSES),
}

DEFAULT_CSS = """
ResourceTable {
    height: 1fr;
    overflow-x: hidden;
    overflow-y: auto;
    scrollbar-size-vertical: 1;
    & > .resource-table--header { text-style: bold; color: $text-primary; }
    & > .resource-table--sorted { text-style: bold underline; color: $text-accent; }
    & > .resource-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    & > .resource-table--cursor-blurred { background: $block-cursor-blurred-background; }
    & > .resource-table--placeholder { color: $text-muted; text-style: italic; }
    & > .resource-table--row-error { color: $text-error; }
    & > .resource-table--row-warning { color: $text-warning; }
    & > .resource-table--row-info { color: $text-primary; }
    & > .resource-table--row-ok { color: $text-success; }
    & > .resource-table--row-muted { color: $text-muted; }
}
"""
