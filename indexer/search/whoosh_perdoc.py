"""A Whoosh segment's per-document files, read and copied a column at a time: its field lengths (`Lengths`,
`length_bytes`), and a merge's stored documents copied as the compressed bytes they are (`copy_documents`), where
Whoosh reads, unpickles, pickles and compresses each document again. Used by whoosh_pool (a commit's field
lengths) and whoosh_merge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3PerDocReader, W3PerDocWriter, _lenfield
from whoosh.columns import VarBytesColumn
from whoosh.util.numeric import byte_to_length

_BYTE_LENGTH = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int64)  # a length byte's length


class Lengths:
    """A segment's field lengths by document, as Whoosh's per-document reader gives them (0 for none)."""

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self._lengths = {name: _BYTE_LENGTH[column].tolist() for name, column in columns.items()}

    @classmethod
    def of_segment(cls, reader: Any, fields: Any, count: int) -> Lengths:
        """The lengths of a segment's `count` documents from its per-document reader (closed after)."""
        try:
            return cls({name: length_bytes(reader, name, count) for name in fields})
        finally:
            reader.close()

    def column(self, fieldname: str) -> list[int]:
        return self._lengths[fieldname]


def length_bytes(perdoc: Any, fieldname: str, count: int) -> np.ndarray:
    """A field's length byte for each of a segment's `count` documents (0: none), its column read at once (Whoosh's
    reader unpacks one document at a time). `perdoc`: W3's per-document reader."""
    out = np.zeros(count, dtype=np.uint8)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:
        n = min(column._count, count)  # the column ends at its last document with a length
        if n:
            out[:n] = np.frombuffer(column._dbfile.get(column._basepos, n), dtype=np.uint8)
    return out


def copyable(writer: Any, readers: Sequence[Any]) -> bool:
    """Whether `copy_documents` can copy these source segments' documents into the writer's segment: W3's
    per-document files on both sides and a schema without vectors whose columns are all plain bytes (a `sortable`
    TEXT field's: the index's `keys`)."""
    schema = writer.schema
    return (type(writer.perdocwriter) is W3PerDocWriter
            and all(type(getattr(r, "_perdoc", None)) is W3PerDocReader for r in readers)
            and not any(schema[name].vector for name in schema.names())
            and all(type(schema[name].column_type) is VarBytesColumn for name in _columns(schema)))


def _columns(schema: Any) -> list[str]:
    """The schema's fields that keep a column."""
    return [name for name in schema.names() if schema[name].column_type]


def _copy_bytes(source: Any, out: Any, docs: np.ndarray, base: int, *, empty: bool) -> None:
    """The entries of `docs` in a column of bytes (`source`, a VarBytes reader or one below it) added to a column
    writer as they are, numbered on from `base`; an empty entry too where `empty`."""
    get, put = VarBytesColumn.Reader.__getitem__, VarBytesColumn.Writer.add
    for k, doc in enumerate(docs.tolist()):
        value = get(source, doc)
        if value or empty:
            put(out, base + k, value)


def copy_documents(writer: Any, reader: Any, docs: np.ndarray, fields: Sequence[str]) -> dict[str, np.ndarray]:
    """What `writer.write_per_doc` does for a merge's source segment (`reader`; its live documents `docs`, in
    order), where `copyable`: each document's stored fields copied as the compressed pickle they are (Whoosh
    unpickles, pickles and compresses each one again), its column values as their bytes, and the field lengths read
    a column at a time. Returns the length bytes of the copied documents for each of `fields` (the indexed ones)."""
    pdw, src = writer.perdocwriter, reader._perdoc
    base = writer.docnum
    stored = src._cached_reader("_stored", STORED_COLUMN)
    if stored is not None:  # below the pickling: compressed bytes; Whoosh stores nothing for a document without any
        _copy_bytes(stored._child, pdw._get_column("_stored")._child, docs, base, empty=False)
    for name in _columns(writer.schema):  # plain bytes, each document's as it is (a missing one reads as empty)
        if src.has_column(name):
            column_type = writer.schema[name].column_type
            if not pdw._has_column(name):
                pdw._create_column(name, column_type)
            _copy_bytes(src.column_reader(name, column_type), pdw._get_column(name), docs, base, empty=True)
    copied = {}
    for name in fields:
        column = length_bytes(src, name, reader.doc_count_all())[docs]
        copied[name] = column
        present = np.flatnonzero(column)
        if not len(present):
            continue
        lenfield = _lenfield(name)
        if not pdw._has_column(lenfield):
            pdw._create_column(lenfield, LENGTHS_COLUMN)
        out = pdw._get_column(lenfield)
        for k, value in zip((base + present).tolist(), column[present].tolist()):
            out.add(k, value)
        pdw._fieldlengths[name] += int(_BYTE_LENGTH[column].sum())
    pdw._doccount += len(docs)
    writer.docnum += len(docs)
    return copied
