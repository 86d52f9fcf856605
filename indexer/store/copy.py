"""Copying a whole store to another database (SQLite -> PostgreSQL when an archive outgrows one machine, and back).

Both ends are opened as `Store`s, so both are migrated to the same schema first. Every table is copied in
foreign-key order, in batches, and only what the target lacks is written: a row whose primary key the target holds
is kept as the target has it. So running the copy again writes nothing, a copy interrupted part-way is finished by
the next run, and a copy run again after the target went into service (edits made there, videos ingested again)
never puts the source's older rows back over them. A video's segments and its chapters of one source are one set
(a transcript, a segmentation): copied whole in one transaction, or not at all where the target holds a set of its
own, never mixed. At the end each table's primary keys are compared, so a loss is reported, never silent; rows kept
as the target had them are counted apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.errors import InvalidInput
from indexer.store.db import Store
from indexer.store.dialect import upsert
from indexer.store.schema import ingest_claims, meta, schema_version

BATCH = 500
# a video's rows of these tables are one set: its transcript's segments, its chapters (of each source)
SETS = frozenset({"segments", "chapters"})


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int  # rows read from the source
    missing: int  # of those, rows whose key the target still lacks afterwards (0 after a good copy)
    kept: int = 0  # of those, rows not written because the target holds its own (its row, or its set for the video)


def copy_store(source: Store, target: Store, progress: Callable[[str, int], None] | None = None) -> list[TableCopy]:
    if source.url == target.url:
        raise InvalidInput("the source and the target are the same store")
    report = []
    for table in meta.sorted_tables:
        if table in (schema_version, ingest_claims):
            continue  # each end records its own migrations, and a claim is a running process's, not the archive's
        before = _keys(target, table)
        owned = _owners(target, table) if table.name in SETS else set()
        rows = _copy_table(source, target, table, owned, progress)
        source_keys = _keys(source, table)
        held = {k for k in source_keys if k in before or (owned and k[0] in owned)}
        report.append(TableCopy(table.name, rows, len(source_keys - _keys(target, table) - held), len(held)))
    return report


def _copy_table(source: Store, target: Store, table: sa.Table, owned: set[object],
                progress: Callable[[str, int], None] | None) -> int:
    """Copy the rows the target lacks; for a SETS table, a video's rows together in one batch, and none of a video
    in `owned` (the target's own set)."""
    keys = list(table.primary_key.columns) or list(table.columns)
    copied = 0
    batch: list[dict[str, object]] = []

    def write() -> None:
        rows = [r for r in batch if r["video_id"] not in owned] if table.name in SETS else batch
        with target.tx() as conn:
            upsert(conn, table, rows, update=[])  # insert what is missing, change nothing the target has
        batch.clear()

    with source.engine.connect() as read:
        result = read.execution_options(stream_results=True, yield_per=BATCH).execute(
            sa.select(table).order_by(*keys))
        for row in result.mappings():
            # a batch ends between two videos for a SETS table, so a video's set is never split across two
            if len(batch) >= BATCH and (table.name not in SETS or row["video_id"] != batch[-1]["video_id"]):
                write()
            batch.append(dict(row))
            copied += 1
            if progress and copied % BATCH == 0:
                progress(table.name, copied)
        if batch:
            write()
    if progress:
        progress(table.name, copied)
    return copied


def _owners(store: Store, table: sa.Table) -> set[object]:
    """The videos of which `store` holds rows of `table`."""
    with store.tx() as conn:
        return set(conn.execute(sa.select(table.c.video_id).distinct()).scalars())


def _keys(store: Store, table: sa.Table) -> set[tuple[object, ...]]:
    columns = list(table.primary_key.columns) or list(table.columns)
    with store.tx() as conn:
        return {tuple(r) for r in conn.execute(sa.select(*columns))}
