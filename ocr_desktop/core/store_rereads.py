"""The job store's queries for reading pages again with another backend: the lite engine's first
readings, once GLM-OCR is installed (docs/lite.md). A base of ``JobStore`` of its own, so that
store.py stays under the module size limit."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager

#: Pages a backend read that the user did not edit (an edit is the user's text: never re-read).
_READ_BY = "status = 'done' AND backend = ? AND edited_text IS NULL"


class RereadQueries:
    """Which pages a backend read, and making them pending again (``JobStore`` provides the
    connection, its lock and its write transaction)."""

    _db: sqlite3.Connection
    _lock: threading.RLock

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def pages_read_by(self, backend: str) -> dict[str, int]:
        """Job id → how many of its pages ``backend`` read and the user did not edit."""
        sql = f"SELECT job_id, COUNT(*) FROM pages WHERE {_READ_BY} GROUP BY job_id"
        with self._lock:
            return {str(job_id): int(count) for job_id, count in self._db.execute(sql, (backend,))}

    def reset_pages_read_by(self, job_id: str, backend: str) -> list[int]:
        """Make the job's pages ``backend`` read (unedited) pending again, their layout plan and
        regions gone so they are planned afresh (their text lines stay until the next reading
        replaces them). Returns the indices made pending, in order."""
        where = f"job_id = ? AND {_READ_BY}"
        with self._tx() as db:
            rows = db.execute(
                f"SELECT page_index FROM pages WHERE {where} ORDER BY page_index", (job_id, backend)
            )
            indices = [int(row[0]) for row in rows]
            db.executemany(
                "DELETE FROM regions WHERE job_id = ? AND page_index = ?", [(job_id, i) for i in indices]
            )
            db.execute(
                "UPDATE pages SET status = 'pending', finished_at = NULL, layout = '', layout_note = '', "
                f"layout_note_message = '' WHERE {where}",
                (job_id, backend),
            )
        return indices
