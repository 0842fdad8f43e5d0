"""The SQLite store's tables and indexes.

Visibility and facets rest on small tables: ``signatures`` (each distinct set of
access keys a dataset carries, see :func:`~beamhub.catalogue.identity.dataset_access_keys`)
and ``cells`` (one row per signature and facet values: beamline, proposal, technique
set, type, year, with the number of datasets in it). Cells and signatures never change
once written, so every process caches which cells each access key opens; only the
counts change, and a counter (``counters.cells``) with ``cells.version`` says which.

Counting what an identity sees is then a sum over its cells. The aggregate tables
``term_counts`` (datasets per word and cell) and ``metadata_key_counts`` (per metadata
value and cell) repeat each cell under every access key of its signature, so the cells
an identity sees are a few contiguous ranges (one per key it holds). The per-dataset
tables (``postings``, ``metadata``, ``keywords``) are keyed by cell, so a search that
must look at datasets seeks only into the cells that can hold matches.

``vocabulary.version`` and ``metadata_fields.version`` say when a word's postings or a
field's metadata rows last changed, so readers can keep them in memory as columns
(``sqlite.columns``) and know when their copy is stale. ``column_log`` says which datasets
each write transaction changed (any row of theirs: words, values, cell, time, or the
dataset removed), so a reader brings a stale column up to date by reading those
datasets' rows again instead of the whole word or field; it is complete for versions
after ``counters.column_log_from`` (a bulk load into an empty file is not logged) and
keeps the last :data:`LOG_KEEP_VERSIONS` write transactions. ``counters.proposals`` (absent:
0) counts the write transactions that changed proposals, so readers keep their title
words in memory (``sqlite.titles``).

Several processes may open the same file: WAL mode, a busy timeout, and every write
in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

SCHEMA_VERSION = 5
LOG_KEEP_VERSIONS = 100_000
"""Write transactions whose changed datasets ``column_log`` keeps (pruned every
:data:`LOG_PRUNE_EVERY`); a column older than that is read again whole."""
LOG_PRUNE_EVERY = 1000
APPLICATION_ID = 0x62686362  # "bhcb": marks a file as a beamhub catalogue

TABLES = """
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) VALUES ('cells', 0);
CREATE TABLE IF NOT EXISTS column_log (
    version INTEGER NOT NULL,                 -- counters.cells of the write transaction
    id INTEGER NOT NULL,                      -- a dataset whose postings or metadata rows it changed
    PRIMARY KEY (version, id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) VALUES ('column_log_from', 0);
CREATE TABLE IF NOT EXISTS access_keys (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE                  -- a group, '@public' or '@beamline:B'
);
CREATE TABLE IF NOT EXISTS signatures (
    id INTEGER PRIMARY KEY,
    keys TEXT NOT NULL UNIQUE                 -- JSON list of access keys, sorted
);
CREATE TABLE IF NOT EXISTS signature_keys (
    key INTEGER NOT NULL,                     -- access_keys.id
    signature INTEGER NOT NULL,
    PRIMARY KEY (key, signature)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS signature_keys_by_signature ON signature_keys (signature, key);
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
    version INTEGER NOT NULL DEFAULT 0,       -- counters.cells when n last changed
    UNIQUE (signature, beamline, proposal, techniques, type, year)
);
CREATE INDEX IF NOT EXISTS cells_by_signature ON cells (signature);
CREATE INDEX IF NOT EXISTS cells_by_version ON cells (version);
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
    n INTEGER NOT NULL DEFAULT 0,             -- datasets having the word
    version INTEGER NOT NULL DEFAULT 0        -- counters.cells when its postings last changed
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
CREATE TABLE IF NOT EXISTS term_counts (
    term INTEGER NOT NULL,
    key INTEGER NOT NULL,                     -- each access key of the cell's signature
    cell INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (term, key, cell)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata_fields (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    k INTEGER NOT NULL,                       -- kind, see sqlite_rows
    dim TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,       -- counters.cells when its metadata rows last changed
    UNIQUE (name, k, dim)
);
CREATE TABLE IF NOT EXISTS metadata (
    id INTEGER NOT NULL,                      -- dataset
    field INTEGER NOT NULL,
    cell INTEGER NOT NULL,
    v NOT NULL,                               -- no affinity: numbers and text as given
    PRIMARY KEY (id, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata_counts (
    field INTEGER NOT NULL,
    v NOT NULL,
    cell INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (field, v, cell)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metadata_key_counts (
    field INTEGER NOT NULL,
    key INTEGER NOT NULL,
    v NOT NULL,
    cell INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (field, key, v, cell)
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
    "metadata_by_value": "CREATE INDEX IF NOT EXISTS metadata_by_value ON metadata (field, cell, v)",
    **{
        index: f"CREATE INDEX IF NOT EXISTS {index} ON datasets ({column}{' DESC' if desc else ''}, pid, cell)"
        for index, column, desc in SORT_INDEXES.values()
    },
}
"""Secondary indexes dropped while a large batch loads into an empty store and built
once at the end (much faster than maintaining them row by row)."""


MIGRATIONS = {
    4: ["CREATE TABLE IF NOT EXISTS column_log (version INTEGER NOT NULL, id INTEGER NOT NULL, "
        "PRIMARY KEY (version, id)) WITHOUT ROWID",
        # the log starts now: columns held at older versions are read again whole
        "INSERT OR IGNORE INTO counters (name, value) SELECT 'column_log_from', value FROM counters "
        "WHERE name = 'cells'"],
}
"""Statements bringing a file of schema version N to N + 1 (in the opening write
transaction); a file older than the first key was a development version: ingest again."""


def migrate(conn, version: int) -> int:
    """Upgrade a file of schema ``version`` to :data:`SCHEMA_VERSION` (the caller holds a
    write transaction); returns the version reached (older than any migration: unchanged)."""
    while version in MIGRATIONS:
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
        version += 1
        conn.execute(f"PRAGMA user_version = {version}")
    return version


def create_schema(conn) -> None:
    """Create what is missing (idempotent; the caller holds a write transaction)."""
    # one statement at a time: executescript() would commit the caller's transaction
    for statement in [*TABLES.split(";"), *BULK_INDEXES.values()]:
        if statement.strip():
            conn.execute(statement)
