"""The tantivy backend of the passage index (CLIPINDEX_SEARCH_BACKEND=tantivy; the `scale` extra installs it).

The same passages and the same pre-analysed tokens as the Whoosh backend (indexer.search.passages.documents): the
token fields use tantivy's whitespace tokenizer, so a token is indexed exactly as indexer.text.normalize made it
(no lower-casing, stemming or length limit of tantivy's own). The stored passage is JSON in a bytes field.
Everything but candidate retrieval (generations, batched commits, alignment, hits, paging) is base.py's and
query.py's, shared with Whoosh.

- Writers: tantivy allows one IndexWriter per index and fails at once when another holds it, so a writer session
  first takes `write.lock` in the generation's folder (retried for 30 s, then IndexBusy, as Whoosh's lock), opens
  the index afresh (tantivy's list of the files it manages is read when the index is opened: one kept open would
  overwrite another process's entries), commits, waits for the merges that commit started, and lets go.
- Readers: reloaded when the generation's meta.json (replaced by every commit, by one rename) changed, so other
  processes' commits are seen at the next search; a reload that meets files a merge in another process deleted
  meanwhile is run again (`_Replaced`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import tantivy

from indexer.errors import ReadOnlyArchive
from indexer.search.base import LOCK_TIMEOUT_S, Items, PassageIndex, Progress, write_items
from indexer.search.generations import file_lock
from indexer.search.passages import readable_as_it_is, same_marker, write_marker
from indexer.search.terms import AllOf, AnyOf, BestOf, CountOf, Filter, Found, Q
from indexer.store.files import exclusive, read_only_folder

FORMAT = "clipindex-passages-tantivy/2"
HEAP_BYTES = 64_000_000  # the writer's buffer: a batch of a few hundred passages fits many times over
TOKEN_FIELDS = ("stem", "keys", "pairs")
KEYS_AT = '"keys":"'  # where the token keys start in a stored passage's JSON
_JSON = json.JSONDecoder()
# a generation folder before it had generations: tantivy's files in the root, swept once a rebuild moved on
ROOT_FILES = ("*.idx", "*.pos", "*.term", "*.store", "*.fast", "*.fieldnorm", "*.del", "meta.json", ".managed.json")


class _Replaced(OSError):
    """A reload met files that another process's merge deleted after its meta.json was read."""


def _schema() -> Any:
    sb = tantivy.SchemaBuilder()
    for name in ("video_id", "language"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("channel", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("published", indexed=True)  # YYYYMMDD: a date range is a range of numbers
    for name in TOKEN_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")  # no positions: pairs order words
    sb.add_bytes_field("doc", stored=True)
    return sb.build()


def _open(folder: Path) -> Any:
    if read_only_folder(folder):  # a read-only share or a mounted backup: searched as it is, or not at all
        readable_as_it_is(folder, FORMAT, lambda: bool(tantivy.Index.exists(str(folder))))
        try:
            return tantivy.Index(_schema(), str(folder), reuse=True)
        except ValueError as exc:  # tantivy writes a lock file to read its list of segments
            raise ReadOnlyArchive(f"the tantivy index at {folder} cannot be searched on a read-only folder (tantivy "
                                  f"writes a lock file to open it: {exc}); copy the archive where it can be "
                                  "written to search it (the whoosh backend reads its index in place)") from None
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "clipindex.json"
    with exclusive(folder / "create.lock"):  # two processes opening a fresh directory create it once
        same = same_marker(marker, FORMAT)
        ix = tantivy.Index(_schema(), str(folder), reuse=same and tantivy.Index.exists(str(folder)))
        if not same:  # a projection: an unknown format is simply recreated, empty, and refilled from the store
            write_marker(marker, FORMAT)
        return ix


def _document(fields: dict[str, Any]) -> Any:
    d = tantivy.Document()
    d.add_text("video_id", fields["video_id"])
    d.add_text("language", fields["language"])
    if "channel" in fields:
        d.add_text("channel", fields["channel"])
    if "published" in fields:
        d.add_integer("published", _day(fields["published"]))
    for name in TOKEN_FIELDS:
        d.add_text(name, fields[name])
    d.add_bytes("doc", json.dumps(fields["doc"], ensure_ascii=False, separators=(",", ":")).encode())
    return d


def _day(iso: str) -> int:
    return int(iso[:10].replace("-", ""))


class _Writer:
    """base.Writer over a tantivy IndexWriter."""

    def __init__(self, w: Any) -> None:
        self.w = w

    def delete_video(self, video_id: str) -> None:
        self.w.delete_documents_by_term("video_id", video_id)

    def add(self, doc: dict[str, Any]) -> None:
        self.w.add_document(_document(doc))

    def clear(self) -> None:
        self.w.delete_all_documents()


@contextmanager
def _writer(folder: Path) -> Iterator[_Writer]:
    """A writer on the index in `folder`, committed when the block ends, rolled back if it raises; either way its
    merges are waited for and tantivy's own lock is released at the end."""
    w = _open(folder).writer(heap_size=HEAP_BYTES, num_threads=1)
    try:
        yield _Writer(w)
        w.commit()
    except BaseException:
        w.rollback()
        raise
    finally:
        w.wait_merging_threads()


class TantivyIndex(PassageIndex):
    """The passage index on tantivy."""

    backend = "tantivy"
    index_format = FORMAT
    root_files = ROOT_FILES
    replaced_under_a_reader = (FileNotFoundError, _Replaced)

    _seen: tuple[int, int, int] | None = None  # meta.json's inode, time and size when the reader was reloaded

    def _open_folder(self, folder: Path) -> None:
        self._ix, self._seen = _open(folder), None
        self._ix.config_reader(reload_policy="Manual")  # reloaded when meta.json changed: see _searcher

    def _exists(self, folder: Path) -> bool:
        return (folder / "meta.json").exists()

    @contextmanager
    def _session(self, timeout: float = LOCK_TIMEOUT_S) -> Iterator[_Writer]:
        with self._write_lock:
            folder = self._sync_generation()
            with file_lock(folder / "write.lock", timeout, self.path), _writer(folder) as w:
                yield w

    def _build(self, folder: Path, items: Items, progress: Progress | None) -> int:
        with _writer(folder) as w:
            return write_items(w, items, progress, replace=False)

    # ---- reading -------------------------------------------------------------------------------------------------
    def _searcher(self) -> Any:
        """A searcher on the latest commit, reloaded when this generation's meta.json changed."""
        self._commit_own_first()
        with self._read_lock:
            folder = self._sync_generation()
            try:
                st = os.stat(folder / "meta.json")
            except FileNotFoundError:
                raise _Replaced(f"{folder} has no meta.json") from None
            seen = (st.st_ino, st.st_mtime_ns, st.st_size)
            if seen != self._seen:
                try:
                    self._ix.reload()
                except ValueError as exc:  # tantivy reports a missing file as a ValueError
                    raise _Replaced(str(exc)) from exc
                self._seen = seen
            return self._ix.searcher()

    def _forget_reader(self) -> None:
        with self._read_lock:
            self._seen = None

    def _candidates(self, flt: Filter | None) -> TantivyCandidates:
        return TantivyCandidates(self._searcher(), self._ix.schema, flt)

    def is_empty(self) -> bool:
        return self._reading(lambda: self._searcher().num_docs == 0)

    def video_ids(self) -> set[str]:
        def read() -> set[str]:
            terms = self._searcher().terms_with_prefix("video_id", "", filter_query=tantivy.Query.all_query())
            return {term for term, count in terms if count}

        return self._reading(read)

    def passage_count(self, video_id: str) -> int:
        def read() -> int:
            q = tantivy.Query.term_query(self._ix.schema, "video_id", video_id, index_option="basic")
            return int(self._searcher().search(q, 1, count=True).count)

        return self._reading(read)


class TantivyCandidates:
    """terms.Candidates on one tantivy searcher: the filter is a scoreless required clause of every query."""

    quote_pool = 100  # a top-100 costs tantivy little more than a top-30 (about 1 ms at 100,000 passages)
    quote_close_match = 1.0  # and so does the words stage: skipped only after a word-for-word match
    # counting every quote word (common ones too) cost tantivy 35 ms more at a million passages, for no more found
    quote_counts = False

    def __init__(self, searcher: Any, schema: Any, flt: Filter | None) -> None:
        self.searcher, self.schema = searcher, schema
        self.filter = _filter_query(schema, flt) if flt else None

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self.searcher.doc_freq(field, term))

    def doc_count(self) -> int:
        return int(self.searcher.num_docs)

    def _query(self, q: Q) -> Any:
        query = _compile(self.schema, q)
        if self.filter is None:
            return query
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, self.filter)])

    def estimate(self, query: Q) -> int:
        return int(self.searcher.search(self._query(query), 1, count=True).count)

    def top(self, query: Q, limit: int) -> list[Found]:
        # no deadline inside: a query takes well under a millisecond at 100,000 passages
        hits = self.searcher.search(self._query(query), limit, count=False).hits
        return [Found((a.segment_ord, a.doc), score, partial(self._fields, a), partial(self._keys, a))
                for score, a in hits]

    def _fields(self, address: Any) -> dict[str, Any]:
        d = self.searcher.doc(address)
        return {"video_id": d.get_first("video_id"), "language": d.get_first("language") or "",
                "doc": json.loads(d.get_first("doc"))}

    def _keys(self, address: Any) -> str:
        """The stored passage's "keys" string, read without decoding the rest of the passage (most of a passage's
        JSON is its words and times). Inside a JSON string every quote mark is escaped, so the first '"keys":"' is
        the field's own."""
        raw = bytes(self.searcher.doc(address).get_first("doc")).decode()
        at = raw.find(KEYS_AT)
        if at < 0:
            return str(json.loads(raw)["keys"])
        return str(_JSON.raw_decode(raw, at + len(KEYS_AT) - 1)[0])  # the string from its opening quote mark


def _compile(schema: Any, q: Q) -> Any:
    Query, Occur = tantivy.Query, tantivy.Occur
    if isinstance(q, (AnyOf, AllOf)):
        occur = Occur.Should if isinstance(q, AnyOf) else Occur.Must
        return Query.boolean_query([(occur, _compile(schema, p)) for p in q.parts])
    if isinstance(q, BestOf):
        return Query.disjunction_max_query([_compile(schema, p) for p in q.parts])
    if isinstance(q, CountOf):
        return Query.boolean_query([(Occur.Should, Query.const_score_query(_compile(schema, p), 1.0))
                                    for p in q.parts])
    term = Query.term_query(schema, q.field, q.text, index_option="freq")
    return term if q.boost == 1.0 else Query.boost_query(term, q.boost)


def _filter_query(schema: Any, flt: Filter) -> Any:
    Query = tantivy.Query
    parts = [Query.term_query(schema, field, value, index_option="basic")
             for field, value in (("video_id", flt.video), ("channel", flt.channel), ("language", flt.language))
             if value]
    if flt.dated:
        parts.append(Query.range_query(schema, "published", tantivy.FieldType.Integer,
                                       _day(flt.after) if flt.after else None,
                                       _day(flt.before) if flt.before else None))
    return Query.const_score_query(Query.boolean_query([(tantivy.Occur.Must, p) for p in parts]), 0.0)
