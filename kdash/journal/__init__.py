"""The crash journal: every crash kdash captures, kept on disk after kdash exits.

Stdlib and kdash.model only. The k8s layer's `CrashCapture` knows nothing of it: the CLI passes
`CrashJournal.record_crash` to it as a callback (kdash/crashes.py), the TUI reads it in pod detail,
and `kdash crashes` prints it.
"""

from kdash.journal.entry import JournalEntry, entry_from_json, entry_from_pod
from kdash.journal.match import entries_for_pod
from kdash.journal.settings import JournalSettings, journal_dir
from kdash.journal.store import CrashJournal, JournalRead, context_filename, parse_lines

__all__ = [
    "CrashJournal",
    "JournalEntry",
    "JournalRead",
    "JournalSettings",
    "context_filename",
    "entries_for_pod",
    "entry_from_json",
    "entry_from_pod",
    "journal_dir",
    "parse_lines",
]
