"""Copying a whole store to another database (SQLite -> PostgreSQL when an archive outgrows one machine, and back).

Both ends are opened as `Store`s, so both are migrated to the same schema first. Every table is copied in
foreign-key order, in batches, and only what the target lacks is written: a row whose primary key the target holds
is kept as the target has it. So running the copy again writes nothing, a copy interrupted part-way is finished by
the next run, and a copy run again after the target went into service (edits made there, videos ingested again)
never puts the source's older rows back over them. A video's segments, its chapters of one source and a reel's
clips are one set (a transcript, a segmentation, a reel's order): copied whole in one transaction, or not at all
where the target holds a set of its own, never mixed.

A run that copied everything records in the target which videos, articles, reels, jobs and keys it brought
(`copied_in`). A later run writes none of their rows again: what the target has removed since (a video deleted for
privacy, a correction reverted, a clip taken out of a reel) stays removed, and a row of another entity that names
one of them (a new article's link to a video deleted there) is left out too. At the end each table's primary keys
are compared, so a loss is reported, never silent; rows kept as the target had them, and rows of what the target
removed, are counted apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.errors import InvalidInput
from indexer.store.db import Store
from indexer.store.dialect import upsert
from indexer.store.schema import copied_in, ingest_claims, meta, schema_version

BATCH = 500
# a set's table -> the column of what it belongs to: a video's segments, its chapters (of each source), a reel's clips
SETS = {"segments": "video_id", "chapters": "video_id", "reel_clips": "reel_id"}
# the entity a row is part of, and the column that names it; a table not listed is an entity of its own (by its key)
OWNER = {"videos": ("video", "id"), "transcripts": ("video", "video_id"), "segments": ("video", "video_id"),
         "step_runs": ("video", "video_id"), "chapters": ("video", "video_id"), "corrections": ("video", "video_id"),
         "articles": ("article", "id"), "article_links": ("article", "article_id"), "reels": ("reel", "id"),
         "reel_clips": ("reel", "reel_id")}
ENTITIES = {"video": "videos", "article": "articles", "reel": "reels"}  # the tables of the entities others name
REFERS = {"video_id": "video", "article_id": "article", "reel_id": "reel"}  # the columns that name them
Row = Mapping[str, object]


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int  # rows read from the source
    missing: int  # of those, rows whose key the target still lacks afterwards (0 after a good copy)
    kept: int = 0  # of those, rows not written because the target holds its own (its row, or its set for the video)
    removed: int = 0  # of those, rows of what an earlier copy brought and the target has removed since


def copy_store(source: Store, target: Store, progress: Callable[[str, int], None] | None = None) -> list[TableCopy]:
    if source.url == target.url:
        raise InvalidInput("the source and the target are the same store")
    brought = _brought(target)
    present = {kind: _ids(target, table) for kind, table in ENTITIES.items()}
    report = []
    for table in meta.sorted_tables:
        if table in (schema_version, ingest_claims, copied_in):
            continue  # each end's own: its migrations, a running process's claim, what was copied into it
        before = _keys(target, table)
        owned = _owners(target, table, SETS[table.name]) if table.name in SETS else set()
        keys = [c.name for c in (list(table.primary_key.columns) or list(table.columns))]
        removed: set[tuple[object, ...]] = set()

        def gone(row: Row, keys: list[str] = keys, table: sa.Table = table,
                 removed: set[tuple[object, ...]] = removed) -> bool:
            """A row of an entity an earlier copy brought (the target's own since), or naming one the target has
            removed: left out, and counted as removed where the target lacks it."""
            refs = [(kind, row[column]) for column, kind in REFERS.items() if column in row]
            if _owner(table, row) in brought or any(r in brought and r[1] not in present[r[0]] for r in refs):
                removed.add(tuple(row[k] for k in keys))
                return True
            return False

        rows = _copy_table(source, target, table, owned, gone, progress)
        source_keys = _keys(source, table)
        after = _keys(target, table)
        removed -= after
        held = {k for k in source_keys if k in before or (owned and k[keys.index(SETS[table.name])] in owned)}
        held -= removed
        report.append(TableCopy(table.name, rows, len(source_keys - after - held - removed), len(held), len(removed)))
    if not any(t.missing for t in report):
        _record(source, target)
    return report


def _copy_table(source: Store, target: Store, table: sa.Table, owned: set[object], gone: Callable[[Row], bool],
                progress: Callable[[str, int], None] | None) -> int:
    """Copy the rows the target lacks, less those `gone` names; for a SETS table, a set's rows together in one batch,
    and none of a set in `owned` (the target's own)."""
    keys = list(table.primary_key.columns) or list(table.columns)
    column = SETS.get(table.name)
    copied = 0
    batch: list[dict[str, object]] = []

    def write() -> None:
        rows = [r for r in batch if not gone(r) and not (column and r[column] in owned)]
        with target.tx() as conn:
            upsert(conn, table, rows, update=[])  # insert what is missing, change nothing the target has
        batch.clear()

    with source.engine.connect() as read:
        result = read.execution_options(stream_results=True, yield_per=BATCH).execute(
            sa.select(table).order_by(*keys))
        for row in result.mappings():
            # a batch ends between two sets for a SETS table, so a set is never split across two
            if len(batch) >= BATCH and (column is None or row[column] != batch[-1][column]):
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


def _owner(table: sa.Table, row: Row) -> tuple[str, object]:
    """The entity a row is part of: its video, article or reel, or the row itself (a job, a key)."""
    kind, column = _owned_by(table)
    return kind, row[column]


def _owned_by(table: sa.Table) -> tuple[str, str]:
    """The kind of entity a table's rows are part of, and the column that names it."""
    return OWNER.get(table.name) or (table.name, (list(table.primary_key.columns) or list(table.columns))[0].name)


def _record(source: Store, target: Store) -> None:
    """Note in the target every entity this copy brought (a whole run, nothing missing)."""
    entities: set[tuple[str, str]] = set()
    with source.tx() as conn:
        for table in meta.sorted_tables:
            if table not in (schema_version, ingest_claims, copied_in):
                kind, column = _owned_by(table)
                entities.update((kind, str(v)) for v in conn.execute(sa.select(table.c[column]).distinct()).scalars())
    rows = [{"kind": kind, "id": value} for kind, value in sorted(entities)]
    for start in range(0, len(rows), BATCH):
        with target.tx() as conn:
            upsert(conn, copied_in, rows[start:start + BATCH], update=[])


def _brought(store: Store) -> set[tuple[str, object]]:
    with store.tx() as conn:
        return {(r.kind, r.id) for r in conn.execute(sa.select(copied_in.c.kind, copied_in.c.id))}


def _ids(store: Store, table: str) -> set[object]:
    with store.tx() as conn:
        return set(conn.execute(sa.select(meta.tables[table].c.id)).scalars())


def _owners(store: Store, table: sa.Table, column: str) -> set[object]:
    """The sets of which `store` holds rows of `table` (the videos, or the reels)."""
    with store.tx() as conn:
        return set(conn.execute(sa.select(table.c[column]).distinct()).scalars())


def _keys(store: Store, table: sa.Table) -> set[tuple[object, ...]]:
    columns = list(table.primary_key.columns) or list(table.columns)
    with store.tx() as conn:
        return {tuple(r) for r in conn.execute(sa.select(*columns))}
