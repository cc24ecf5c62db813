"""Row building as pure functions: a record (plus `now`, a score, ...) becomes a Row of Cells, each
cell carrying its own sort key. No Textual here, so every list's rows are tested without an app
(tests/ui/render); ResourceTable (kdash/ui/widgets) only filters, sorts and draws them.

One module per kind of row; each holds the COLUMNS its rows fill, in order.
"""
