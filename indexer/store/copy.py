"""Copying a whole store to another database (SQLite -> PostgreSQL when an archive outgrows one machine, and back).

Both ends are opened as `Store`s, so both are migrated to the same schema first. Every table is copied in
foreign-key order, in batches, each row written as an upsert by its primary key: running the copy again changes
nothing, and a copy interrupted part-way is finished by the next run. Rows only the target has are kept. At the end
each table's primary keys are compared, so a loss is reported, never silent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.errors import InvalidInput
from indexer.store.db import Store
from indexer.store.dialect import upsert
from indexer.store.schema import meta, schema_version

BATCH = 500


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int  # rows read from the source
    missing: int  # of those, rows whose key the target still lacks afterwards (0 after a good copy)


def copy_store(source: Store, target: Store, progress: Callable[[str, int], None] | None = None) -> list[TableCopy]:
    if source.url == target.url:
        raise InvalidInput("the source and the target are the same store")
    report = []
    for table in meta.sorted_tables:
        if table is schema_version:
            continue  # each end records its own migrations
        rows = _copy_table(source, target, table, progress)
        report.append(TableCopy(table.name, rows, len(_keys(source, table) - _keys(target, table))))
    return report


def _copy_table(source: Store, target: Store, table: sa.Table, progress: Callable[[str, int], None] | None) -> int:
    keys = list(table.primary_key.columns) or list(table.columns)
    copied = 0
    with source.engine.connect() as read:
        result = read.execution_options(stream_results=True, yield_per=BATCH).execute(
            sa.select(table).order_by(*keys))
        for batch in result.mappings().partitions(BATCH):
            with target.tx() as write:
                upsert(write, table, [dict(r) for r in batch])
            copied += len(batch)
            if progress:
                progress(table.name, copied)
    return copied


def _keys(store: Store, table: sa.Table) -> set[tuple[object, ...]]:
    columns = list(table.primary_key.columns) or list(table.columns)
    with store.tx() as conn:
        return {tuple(r) for r in conn.execute(sa.select(*columns))}
