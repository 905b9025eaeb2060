"""The job store's schema and its migrations (``core/store.py``; its rows become values in
``core/store_rows.py``).

Schema changes bump ``PRAGMA user_version``: add a step to ``_MIGRATIONS`` (SQL, or a function
for a data step) and a test that opens a store written by the previous version
(``tests/test_store_migration.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_SCHEMA_V1 = """
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    source BLOB NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    position INTEGER NOT NULL,
    options TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    page_count INTEGER,
    page_indices TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    finished_at REAL,
    error TEXT NOT NULL DEFAULT '',
    owner_pid INTEGER
);
CREATE INDEX jobs_fingerprint ON jobs(fingerprint);
CREATE TABLE pages (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    page_index INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    text TEXT,
    edited_text TEXT,
    task TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    image_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    time_to_first_token_s REAL NOT NULL DEFAULT 0,
    total_s REAL NOT NULL DEFAULT 0,
    finish_reason TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '[]',
    error TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    finished_at REAL,
    PRIMARY KEY (job_id, page_index)
);
"""

#: Layout reading (docs/layout.md): the layout model a page was planned with, why it was read
#: whole after all, and its regions, each committed the moment it is read (``status`` pending →
#: done; figures and skipped furniture are ``kept``: recorded, never read).
_SCHEMA_V2 = """
ALTER TABLE pages ADD COLUMN layout TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN layout_note TEXT NOT NULL DEFAULT '';
CREATE TABLE regions (
    job_id TEXT NOT NULL,
    page_index INTEGER NOT NULL,
    region_order INTEGER NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    box TEXT NOT NULL,
    box_1000 TEXT NOT NULL,
    score REAL NOT NULL DEFAULT 0,
    task TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    text TEXT NOT NULL DEFAULT '',
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    image_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    time_to_first_token_s REAL NOT NULL DEFAULT 0,
    total_s REAL NOT NULL DEFAULT 0,
    finish_reason TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '[]',
    image BLOB,
    attempts INTEGER NOT NULL DEFAULT 0,
    finished_at REAL,
    PRIMARY KEY (job_id, page_index, region_order),
    FOREIGN KEY (job_id, page_index) REFERENCES pages(job_id, page_index) ON DELETE CASCADE
);
"""

#: Failure reasons and layout notes as messages the window translates (``messages.dumps``), kept
#: beside their English text.
_SCHEMA_V3 = """
ALTER TABLE jobs ADD COLUMN error_message TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN error_message TEXT NOT NULL DEFAULT '';
ALTER TABLE pages ADD COLUMN layout_note_message TEXT NOT NULL DEFAULT '';
"""

#: The page's text lines (``PageLines`` as JSON; NULL: never detected), found by the layout
#: stage, the lite engine or the searchable-PDF export, whichever came first.
_SCHEMA_V4 = """
ALTER TABLE pages ADD COLUMN text_lines TEXT;
"""

#: Format once (``core/page_format.py``): a page's formatted result, as the model's reading
#: formats (``markdown``, ``plain``) and as the user's edit formats (``edited_*``, NULL when not
#: edited), with the formatter's version (0: never formatted; formatted again when read). A layout
#: page's ``text`` becomes what the model wrote, its regions' outputs (it held their assembly).
_SCHEMA_V5 = """
ALTER TABLE pages ADD COLUMN markdown TEXT;
ALTER TABLE pages ADD COLUMN plain TEXT;
ALTER TABLE pages ADD COLUMN edited_markdown TEXT;
ALTER TABLE pages ADD COLUMN edited_plain TEXT;
ALTER TABLE pages ADD COLUMN format_version INTEGER NOT NULL DEFAULT 0;
"""


def _layout_pages_keep_the_model_text(db: sqlite3.Connection) -> None:
    """Schema 5's data step: a layout page's ``text`` is its read regions' outputs."""
    pages = db.execute(
        "SELECT DISTINCT p.job_id, p.page_index FROM pages p JOIN regions r "
        "ON r.job_id = p.job_id AND r.page_index = p.page_index "
        "WHERE p.status = 'done' AND p.layout_note = ''"
    ).fetchall()
    for job_id, page_index in pages:
        outputs = db.execute(
            "SELECT text FROM regions WHERE job_id = ? AND page_index = ? AND task != '' "
            "ORDER BY region_order",
            (job_id, page_index),
        ).fetchall()
        db.execute(
            "UPDATE pages SET text = ? WHERE job_id = ? AND page_index = ?",
            ("\n\n".join(str(t) for (t,) in outputs), job_id, page_index),
        )


#: A migration step: SQL statements, or a function for a step that SQL cannot say.
Migration = str | Callable[[sqlite3.Connection], None]
#: user_version N+1 is reached by running every step of _MIGRATIONS[N].
_MIGRATIONS: tuple[tuple[Migration, ...], ...] = (
    (_SCHEMA_V1,),
    (_SCHEMA_V2,),
    (_SCHEMA_V3,),
    (_SCHEMA_V4,),
    (_SCHEMA_V5, _layout_pages_keep_the_model_text),
)
SCHEMA_VERSION = len(_MIGRATIONS)


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Run the steps from schema ``version`` to SCHEMA_VERSION (inside the caller's transaction)."""
    for steps in _MIGRATIONS[version:]:
        for step in steps:
            if callable(step):
                step(db)
                continue
            for statement in step.split(";"):
                if statement.strip():
                    db.execute(statement)


#: The columns of a region row, in the order ``store_rows.region_result`` reads them.
REGION_COLUMNS = (
    "page_index, region_order, label, kind, box, box_1000, score, task, text, prompt_tokens, image_tokens, "
    "completion_tokens, time_to_first_token_s, total_s, finish_reason, flags, image"
)
