"""A Whoosh commit's postings held in memory and written a whole term at a time (whoosh_write.Terms), in place
of Whoosh's own pool.

`install` gives a SegmentWriter a `Postings` (where whoosh_write.supported) and `add_document` adds to it: the
documents' space-separated fields are counted with one regular expression and a Counter per field, and each term's
postings are kept as lists in document order, so nothing is sorted but the terms (Whoosh's pool makes a tuple of
every posting, sorts them all and spills sorted runs to disk). The postings are held in memory: a writer that adds
many documents commits every index.POOL_LIMIT postings. Why, and what was measured: whoosh_write.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from whoosh.analysis import RegexTokenizer
from whoosh.formats import Frequency
from whoosh.system import unpack_uint

from indexer.search.whoosh_perdoc import Lengths
from indexer.search.whoosh_write import Terms, supported


class Postings:
    """In place of a SegmentWriter's pool (`install`): each term's postings in document order, written by
    `write_term` when the segment is flushed. `add` takes Whoosh's posting tuples (its merge path, other fields);
    `add_document` counts the space-separated fields itself."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self._spaced = {name for name in writer.schema.names() if _spaced(writer.schema[name])}
        self._terms: dict[str, dict[bytes, tuple[list[int], list[float], list[int]]]] = {}  # ids, weights, counts
        self._ordered = True
        self.size = 0  # postings held

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, value = item  # the value is the count or empty: see `supported`
        ids, weights, counts = self._terms.setdefault(fieldname, {}).setdefault(btext, ([], [], []))
        if ids and docnum <= ids[-1]:
            self._ordered = False
        ids.append(docnum)
        weights.append(weight)
        counts.append(unpack_uint(value)[0] if value else 0)
        self.size += 1

    def add_document(self, fields: dict[str, Any]) -> None:
        """What SegmentWriter.add_document does, with the space-separated fields counted here."""
        writer = self._writer
        writer._check_state()
        perdoc, schema, docnum = writer.perdocwriter, writer.schema, writer.docnum
        names = sorted(fields)
        writer._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in self._spaced:
                    if not isinstance(value, str):
                        raise ValueError(f"{value!r} is not unicode")
                    words = field.analyzer.expression.findall(value)
                    counts = Counter(words)
                    if counts:
                        self.size += len(counts)
                        terms = self._terms.setdefault(name, {})
                        for text, count in counts.items():
                            key = text.encode("utf-8")
                            held = terms.get(key)
                            if held is None:  # most of a commit's terms: a list each, made once
                                terms[key] = ([docnum], [float(count)], [count])
                            else:
                                held[0].append(docnum)
                                held[1].append(float(count))
                                held[2].append(count)
                    length = len(words) if field.scorable else 0
                elif field.indexed:
                    for btext, freq, weight, vbytes in field.index(value):
                        length += freq if field.scorable else 0
                        self.add((name, btext, docnum, weight, vbytes))
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type and value is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        writer._added = True
        writer.docnum += 1

    def flush(self, lengths: Any) -> None:
        """Write every term into the writer's field writer (the segment's postings and term table)."""
        terms = Terms(self._writer.fieldwriter)
        schema = self._writer.schema
        for name in sorted(self._terms):
            fieldterms = self._terms[name]
            column = lengths.column(name) if lengths is not None else None
            terms.start_field(name, schema[name])
            for btext in sorted(fieldterms):
                ids, weights, counts = fieldterms[btext]
                if not self._ordered:
                    ids, weights, counts = _in_order(ids, weights, counts)
                terms.write_term(btext, ids, weights, column, counts)
            terms.finish_field()

    def cleanup(self) -> None:
        self._terms.clear()


def _spaced(field: Any) -> bool:
    """A field Whoosh indexes as its whitespace-separated words with their counts (a TEXT field with
    SpaceSeparatedTokenizer and no filter, unboosted)."""
    ana: Any = field.analyzer if field.indexed else None
    return (type(ana) is RegexTokenizer and not ana.gaps and ana.expression.pattern == r"[^ \t\r\n]+"
            and type(field.format) is Frequency and field.format.field_boost == 1.0)


def _in_order(ids: list[int], weights: list[float], counts: list[int]) -> tuple[list[int], list[float], list[int]]:
    rows = sorted(zip(ids, weights, counts))
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def install(writer: Any) -> Any:
    """The writer's pool replaced by `Postings` and its flush by `flush_segment`, where `supported`; returns the
    writer. Its own pool is cleared first (it holds nothing yet)."""
    if supported(writer) and not writer._added:
        writer.pool.cleanup()
        writer.pool = Postings(writer)
        writer._flush_segment = lambda: flush_segment(writer)
    return writer


def add_document(writer: Any, fields: dict[str, Any]) -> None:
    """`writer.add_document(**fields)`, faster where `install` took."""
    pool = writer.pool
    if isinstance(pool, Postings) and not any(name.startswith("_") for name in fields):
        pool.add_document(fields)
    else:
        writer.add_document(**fields)


def flush_segment(writer: Any) -> None:
    """SegmentWriter._flush_segment for a writer with `Postings`."""
    writer.perdocwriter.close()
    lengths = None
    if writer.codec.length_stats:
        names = [n for n in writer.schema.names() if writer.schema[n].indexed]
        lengths = Lengths.of_segment(writer.per_document_reader(), names, writer.docnum)
    writer.pool.flush(lengths)
    writer.fieldwriter.close()
