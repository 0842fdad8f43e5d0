"""The SQLite store's tables and indexes.

Visibility and facets rest on two small tables: ``signatures`` (each distinct set of
access keys a dataset carries, with ``signature_keys`` to find those an identity holds)
and ``cells`` (one row per signature and facet values, with the number of datasets in
it). Counting what an identity sees is a sum over its cells; the tables that answer
free text (``postings``) and metadata conditions (``metadata``) are keyed by cell
first, so an identity's searches seek into its own cells only. ``term_cells`` and
``metadata_counts`` hold the same facts counted per cell, for one-word and
one-condition searches.

Several processes may open the same file: WAL mode, a busy timeout, and every write
in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
APPLICATION_ID = 0x62686362  # "bhcb": marks a file as a beamhub catalogue

TABLES = """
CREATE TABLE IF NOT EXISTS signatures (
    id INTEGER PRIMARY KEY,
    keys TEXT NOT NULL UNIQUE                 -- JSON list, sorted
);
CREATE TABLE IF NOT EXISTS signature_keys (
    key TEXT NOT NULL,
    signature INTEGER NOT NULL,
    PRIMARY KEY (key, signature)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cells (
    id INTEGER PRIMARY KEY,                   -- never reused: cached by readers
    signature INTEGER NOT NULL,
    beamline TEXT NOT NULL,
    proposal TEXT NOT NULL,                   -- '' when the dataset has none
    techniques TEXT NOT NULL,                 -- JSON list, sorted
    type TEXT NOT NULL,
    year INTEGER NOT NULL,
    n INTEGER NOT NULL DEFAULT 0,             -- datasets
    size INTEGER NOT NULL DEFAULT 0,          -- their bytes
    votes INTEGER NOT NULL DEFAULT 0,         -- votes on them
    UNIQUE (signature, beamline, proposal, techniques, type, year)
);
CREATE INDEX IF NOT EXISTS cells_by_signature ON cells (signature, id, n);
CREATE TABLE IF NOT EXISTS datasets (
    id INTEGER PRIMARY KEY,
    pid TEXT NOT NULL,
    signature INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    ctime INTEGER NOT NULL,                   -- creationTime, milliseconds since 1970 UTC
    name_key TEXT NOT NULL,                   -- lower-case datasetName
    size INTEGER NOT NULL,
    likes INTEGER NOT NULL DEFAULT 0,
    dislikes INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    words TEXT NOT NULL,                      -- ' w1 w2 ... ' for prefix checks
    doc TEXT NOT NULL                         -- the dataset as JSON, without counts and times
);
CREATE UNIQUE INDEX IF NOT EXISTS datasets_by_pid ON datasets (pid);
CREATE TABLE IF NOT EXISTS vocabulary (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    n INTEGER NOT NULL DEFAULT 0              -- datasets having the word
);
CREATE TABLE IF NOT EXISTS postings (
    term INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    id INTEGER NOT NULL,
    w INTEGER NOT NULL,                       -- 2 if the word is in datasetName, else 1
    PRIMARY KEY (term, cell, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS term_cells (
    term INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (term, cell)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata_names (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS metadata (
    id INTEGER NOT NULL,                      -- dataset
    name INTEGER NOT NULL,
    k INTEGER NOT NULL,                       -- kind, see sqlite_rows
    dim TEXT NOT NULL,
    cell INTEGER NOT NULL,
    v NOT NULL,                               -- no affinity: numbers and text as given
    PRIMARY KEY (id, name, k)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata_counts (
    name INTEGER NOT NULL,
    k INTEGER NOT NULL,
    dim TEXT NOT NULL,
    cell INTEGER NOT NULL,
    v NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (name, k, dim, cell, v)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keywords (
    keyword TEXT NOT NULL,
    cell INTEGER NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (keyword, cell, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inputs (
    input TEXT NOT NULL,                      -- a pid in inputDatasets
    id INTEGER NOT NULL,
    PRIMARY KEY (input, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS votes (
    dataset INTEGER NOT NULL,
    user TEXT NOT NULL,
    value TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (dataset, user)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS votes_by_user ON votes (user, value, dataset);
CREATE INDEX IF NOT EXISTS votes_by_user_time ON votes (user, updated_at);
CREATE TABLE IF NOT EXISTS proposals (
    proposal_id TEXT PRIMARY KEY,
    beamline TEXT,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS proposals_by_beamline ON proposals (beamline);
CREATE TABLE IF NOT EXISTS proposal_groups (
    grp TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    PRIMARY KEY (grp, proposal_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS selections (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS selections_by_owner ON selections (owner, created_at);
"""

SORT_INDEXES = {
    # sort -> (index, column, descending)
    "-creationTime": ("datasets_by_ctime_desc", "ctime", True),
    "creationTime": ("datasets_by_ctime", "ctime", False),
    "datasetName": ("datasets_by_name", "name_key", False),
    "-datasetName": ("datasets_by_name_desc", "name_key", True),
    "size": ("datasets_by_size", "size", False),
    "-size": ("datasets_by_size_desc", "size", True),
    "-likes": ("datasets_by_likes", "likes", True),
}
"""Each sort walks its own index, ordered exactly as the results are (ties by pid
ascending) and covering ``cell``, so a page is read without sorting."""

BULK_INDEXES = {
    "datasets_by_cell": "CREATE INDEX IF NOT EXISTS datasets_by_cell ON datasets (cell, ctime)",
    "metadata_by_value": "CREATE INDEX IF NOT EXISTS metadata_by_value ON metadata (name, k, dim, cell, v)",
    **{
        index: f"CREATE INDEX IF NOT EXISTS {index} ON datasets ({column}{' DESC' if desc else ''}, pid, cell)"
        for index, column, desc in SORT_INDEXES.values()
    },
}
"""Secondary indexes dropped while a large batch loads into an empty store and built
once at the end (much faster than maintaining them row by row)."""


def create_schema(conn) -> None:
    """Create what is missing (idempotent; the caller holds a write transaction)."""
    # one statement at a time: executescript() would commit the caller's transaction
    for statement in [*TABLES.split(";"), *BULK_INDEXES.values()]:
        if statement.strip():
            conn.execute(statement)
