"""Whoosh segments written a term at a time (indexer/search/whoosh_write.py, whoosh_pool.py): with every block
compressed, a commit's files are byte for byte those Whoosh's own writer makes for the same documents; with the small
blocks left plain (the default) Whoosh reads the same postings from them; what the modules do not know goes through
Whoosh."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import QueryParser
from whoosh.writing import PostingPool

from indexer.search import whoosh_pool, whoosh_write
from indexer.search.index import _schema
from indexer.search.passages import documents
from indexer.search.whoosh_pool import Postings
from indexer.search.whoosh_write import Terms
from tests.test_search import make_transcript, video
from tests.test_whoosh_arrays import _sentences

RUSSIAN = ["Мост через реку закрыли после наводнения.", "Городской совет обсудит ремонт моста в среду.",
           "Жители говорят, что вода поднялась за ночь."]


def _docs() -> list[dict[str, Any]]:
    """Passages of several videos: common words repeated (counts above 1, terms in more than a block of 128
    passages), rare words (one passage), Russian and Uzbek text, a video without channel or date."""
    rng = random.Random(3)
    docs: list[dict[str, Any]] = []
    for n in range(24):
        tr, _ = make_transcript(f"file:v{n}", _sentences(rng, 80))
        docs += documents(video(f"file:v{n}"), tr, [])
    tr, _ = make_transcript("file:ru", RUSSIAN * 4, language="ru")
    docs += documents(video("file:ru", language="ru", channel="", published=""), tr, [])
    tr, _ = make_transcript("file:uz", ["Ko'prik yopildi va suv ko'tarildi."] * 6, language="uz")
    docs += documents(video("file:uz", language="uz"), tr, [])
    return docs


@pytest.fixture
def every_block_compressed(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Whoosh's own writer does (whoosh_write.COMPRESS_FROM 0), so the files can be compared byte for byte."""
    monkeypatch.setattr(whoosh_write, "COMPRESS_FROM", 0)


def _written(folder: Path, schema: Schema, docs: list[dict[str, Any]], ours: bool) -> dict[str, bytes]:
    """The files of one commit of `docs` (segment files loose, the segment's random name drawn alike)."""
    folder.mkdir()
    ix = index.create_in(str(folder), schema)
    random.seed(11)  # Whoosh names the segment from `random`
    w = ix.writer(compound=False)
    if ours:
        whoosh_pool.install(w)
        for doc in docs:
            whoosh_pool.add_document(w, doc)
    else:
        for doc in docs:
            w.add_document(**doc)
    w.commit()
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.endswith("LOCK")}


@pytest.mark.slow
def test_a_commit_writes_the_files_whoosh_would(tmp_path: Path, every_block_compressed: None) -> None:
    docs = _docs()
    theirs = _written(tmp_path / "whoosh", _schema(), docs, ours=False)
    mine = _written(tmp_path / "ours", _schema(), docs, ours=True)
    assert sorted(mine) == sorted(theirs) and any(name.endswith(".pst") for name in mine)
    for name in theirs:
        assert mine[name] == theirs[name], name
    with index.open_dir(str(tmp_path / "ours")).searcher() as s:  # what the test relies on is in the files
        reader = s.reader()
        assert reader.doc_frequency("stem", "end") > 128, "a term past one block"
        terms = [(f, t) for f, t in reader.all_terms() if f == "stem"]
        assert any(reader.frequency(f, t) > reader.doc_frequency(f, t) for f, t in terms), "counts above 1"
        assert any(not t.isascii() for _, t in terms), "Cyrillic terms"
        assert len(list(s.documents(video_id="file:ru"))) > 0


def _blocks(folder: Path) -> list[tuple[int, int]]:
    """Each posting block of an index's one segment as (postings in it, its compression level), read from the
    blocks' headers through the term table."""
    from indexer.search.whoosh_arrays import blocks

    out = []
    with index.open_dir(str(folder)).reader() as reader:
        terms = reader._terms
        for _, info in terms.items():
            offset, length = info.extent()
            data = terms._postfile.get(offset, length[0] if isinstance(length, tuple) else length)
            out += [(header[0], header[3]) for header, _, _ in blocks(data)]
    return out


@pytest.mark.slow
def test_small_blocks_are_stored_plain_and_whoosh_reads_the_same_postings(tmp_path: Path) -> None:
    """By default a block whose pickle is under COMPRESS_FROM bytes is not compressed (its header says level 0):
    Whoosh's own reader finds every posting, weight, count and term statistic it finds in its own writer's files,
    and the postings file is at most 5% larger (the plain blocks' price: 2% on these documents)."""
    from tests.test_whoosh_merge import _everything

    docs = _docs()
    _written(tmp_path / "whoosh", _schema(), docs, ours=False)
    mine = _written(tmp_path / "ours", _schema(), docs, ours=True)
    [postings] = [data for name, data in mine.items() if name.endswith(".pst")]
    [theirs] = [p.read_bytes() for p in (tmp_path / "whoosh").iterdir() if p.name.endswith(".pst")]
    assert {level for _, level in _blocks(tmp_path / "ours")} == {0, 3}, "small blocks plain, large ones compressed"
    assert {level for _, level in _blocks(tmp_path / "whoosh")} == {3}
    assert len(postings) <= 1.05 * len(theirs)
    with index.open_dir(str(tmp_path / "ours")).reader() as ours, \
            index.open_dir(str(tmp_path / "whoosh")).reader() as whooshs:
        assert _everything(ours) == _everything(whooshs)


def test_write_term_splits_long_lists_into_blocks_as_whoosh_does(tmp_path: Path, every_block_compressed: None
                                                                 ) -> None:
    """Lengths missing in some blocks (0), weights that are not all alike, and a list of exactly two blocks."""
    schema = Schema(body=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False), tag=ID)
    docs = [{"body": ("alpha " * (1 + n % 3) + ("beta " if n % 2 else "") + f"w{n}").strip(), "tag": f"t{n % 5}"}
            for n in range(300)] + [{"tag": "none"}] * 3
    theirs = _written(tmp_path / "whoosh", schema, docs, ours=False)
    mine = _written(tmp_path / "ours", schema, docs, ours=True)
    assert mine == theirs


def test_terms_of_one_or_two_postings_are_written_as_whoosh_writes_them(tmp_path: Path, every_block_compressed: None
                                                                        ) -> None:
    """The short path of most terms (Terms._whole): one or two postings, counts of 1 and more, alike or not, in a
    counted field and in an ID field (no counts, no lengths), and a document without the counted field."""
    schema = Schema(body=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False), tag=ID)
    docs = [{"body": "solo twice twice same same", "tag": "one"},
            {"body": "same same pair triple triple triple", "tag": "two"},
            {"tag": "two"},
            {"body": "pair mixed", "tag": "alone"},
            {"body": "mixed mixed triple triple triple"}]
    assert _written(tmp_path / "ours", schema, docs, ours=True) == _written(tmp_path / "whoosh", schema, docs,
                                                                            ours=False)


def test_another_schema_is_left_to_whoosh(tmp_path: Path) -> None:
    schema = Schema(body=TEXT(stored=True), tag=ID(stored=True))  # positions, Whoosh's analyser: not ours
    ix = index.create_in(str(tmp_path), schema)
    w = whoosh_pool.install(ix.writer())
    assert isinstance(w.pool, PostingPool)
    whoosh_pool.add_document(w, {"body": "The bridge closed after the flood", "tag": "a"})
    w.commit()
    with ix.searcher() as s:
        hits = s.search(QueryParser("body", schema).parse('"bridge closed"'))
        assert [h["tag"] for h in hits] == ["a"]


def test_a_document_with_boosts_is_added_by_whoosh(tmp_path: Path, every_block_compressed: None) -> None:
    ws = SpaceSeparatedTokenizer()
    schema = Schema(body=TEXT(analyzer=ws, phrase=False), doc=STORED)
    docs = [{"body": "flood bridge", "doc": 1, "_boost": 2.0}, {"body": "flood", "doc": 2}]
    assert _written(tmp_path / "a", schema, docs, ours=True) == _written(tmp_path / "b", schema, docs, ours=False)


def test_terms_must_come_in_order(tmp_path: Path) -> None:
    ix = index.create_in(str(tmp_path), _schema())
    w = whoosh_pool.install(ix.writer())
    assert isinstance(w.pool, Postings)
    terms = Terms(w.fieldwriter)
    terms.start_field("stem", _schema()["stem"])
    terms.write_term(b"river", [0], [1.0], [1])
    with pytest.raises(ValueError, match="terms must increase"):
        terms.write_term(b"bridge", [0], [1.0], [1])
    w.cancel()


def test_a_large_batch_is_committed_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild's one writer holds its postings in memory: past POOL_LIMIT it commits them and goes on."""
    from indexer.search import index as search_index

    monkeypatch.setattr(search_index, "POOL_LIMIT", 2000)
    monkeypatch.setattr(search_index, "merge_later", lambda folder, lane: None)
    rng = random.Random(4)
    items = []
    for n in range(6):
        tr, _ = make_transcript(f"file:b{n}", _sentences(rng, 80))
        items.append((video(f"file:b{n}"), tr, []))
    ix = search_index.SearchIndex(tmp_path / "index")
    total = ix.rebuild(items)
    assert total == sum(len(documents(v, tr, [])) for v, tr, _ in items)
    assert len(ix._index()._segments()) > 2, "committed in pieces"
    assert ix.video_ids() == {f"file:b{n}" for n in range(6)}
    assert sum(ix.passage_count(f"file:b{n}") for n in range(6)) == total


def test_a_large_batch_that_cannot_take_the_lock_again_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Between its pieces another writer took the index: IndexBusy, the pieces committed before it kept."""
    from indexer.errors import IndexBusy
    from indexer.search import index as search_index

    monkeypatch.setattr(search_index, "POOL_LIMIT", 500)
    monkeypatch.setattr(search_index, "merge_later", lambda folder, lane: None)
    held: list[Any] = []
    real_after = search_index._after_commit

    def another_writer_takes_the_lock(ix: Any) -> None:
        real_after(ix)
        if not held:
            held.append(ix.writer())

    monkeypatch.setattr(search_index, "_after_commit", another_writer_takes_the_lock)
    ix = search_index.SearchIndex(tmp_path / "index")
    wix = ix._index()
    tr, _ = make_transcript("file:c0", _sentences(random.Random(6), 200))
    docs = documents(video("file:c0"), tr, [])
    writer = search_index._Writer(wix, wix.writer(), timeout=0.2)
    with pytest.raises(IndexBusy, match="locked by another writer"):
        for doc in docs:
            writer.add(doc)
    writer.cancel()  # its writer is the one it committed: nothing to drop, no error
    held[0].cancel()
    assert 0 < ix.passage_count("file:c0") < len(docs)


def test_a_blocks_first_id_moved_in_its_bytes_is_what_pickling_again_gives() -> None:
    """The merge moves a copied block's first id up in the pickle's bytes: the same bytes as pickling the moved
    tuple (ids of every size class: one byte, two, four), and None where it cannot (past 32 bits, not protocol 2)."""
    import pickle

    from indexer.search.whoosh_write import _moved_first

    rng = random.Random(8)
    for _ in range(3000):
        n = rng.choice([1, 2, 3, 4, 60])
        first = rng.choice([0, 7, 255, 256, 65535, 65536, 10**6])
        ids = (first, *(rng.randint(1, 300) for _ in range(n - 1)))
        weights = rng.choice([None, 2.0, tuple(float(rng.randint(1, 4)) for _ in range(n))])
        values = rng.choice([None, b"\x00\x00\x00\x01" * n])
        shift = rng.choice([0, 1, 200, 70_000])
        moved = _moved_first(pickle.dumps((ids, weights, values), 2), shift)
        assert moved == pickle.dumps(((first + shift, *ids[1:]), weights, values), 2)
    assert _moved_first(pickle.dumps(((5,), None, None), 2), 2**31) is None
    assert _moved_first(pickle.dumps(((5,), None, None), 4), 1) is None
