"""Whoosh's segment parts read in place (indexer.search.whoosh_views): the same bytes as the copying BytesIO it
replaces, and no copy of a segment when an index is searched."""

from __future__ import annotations

import io
import pickle
import random
import time
from pathlib import Path

import pytest
from whoosh.filedb.structfile import BufferFile

import indexer.search.index  # noqa: F401  (the Whoosh backend: importing it installs the in-place reads)
from indexer.search.whoosh_views import View, start_child
from tests.test_search import make_index, make_transcript, video


def _stream() -> bytes:
    """Pickles back to back (as Whoosh writes block headers), a text line and raw bytes."""
    out = io.BytesIO()
    for n in range(50):
        pickle.dump((n, n * 1000, 1.5, n % 2, "block", b"\x00\n" * n), out, 2)
    out.write(b"a line\nanother line without an end")
    out.write(bytes(range(256)) * 8)
    return out.getvalue()


def test_a_view_reads_as_bytesio_does() -> None:
    data = _stream()
    for mapped in (data, memoryview(bytearray(data))):
        view, copy = View(mapped), io.BytesIO(data)
        for _ in range(50):  # the pickles, read in turn by the C unpickler (which peeks ahead, then reads)
            assert pickle.load(view) == pickle.load(copy)
            assert view.tell() == copy.tell()
        assert view.readline() == copy.readline() == b"a line\n"
        assert view.readline(7) == copy.readline(7)
        rng = random.Random(1)
        for _ in range(300):
            where = rng.choice([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END])
            offset = rng.randint(-40, 40) + (rng.randint(0, len(data)) if where == io.SEEK_SET else 0)
            if offset + {io.SEEK_SET: 0, io.SEEK_CUR: copy.tell(), io.SEEK_END: len(data)}[where] < 0:
                with pytest.raises(ValueError):
                    view.seek(offset, where)
                continue
            assert view.seek(offset, where) == copy.seek(offset, where)
            size = rng.choice([-1, 0, 1, 4, 100, 5000])
            assert view.read(size) == copy.read(size)
            assert view.tell() == copy.tell()
        into = bytearray(10)
        view.seek(3), copy.seek(3)
        assert view.readinto(into) == 10 and bytes(into) == copy.read(10)


def test_whooshs_buffer_files_read_in_place() -> None:
    """What Whoosh opens from a memory-mapped segment: a BufferFile over a slice of the map. It used to copy the
    slice into a BytesIO (the whole postings, term table or stored fields of a segment, on first use)."""
    data = _stream()
    f = BufferFile(memoryview(data)[10:], name="part")
    assert isinstance(f.file, View)
    assert f.read(5) == data[10:15] and f.get(0, 3) == data[10:13]
    f.seek(0)
    assert f.read_int() == int.from_bytes(data[10:14], "big", signed=True)
    f.close()


def test_a_searched_index_holds_no_copy_of_its_segments(tmp_path: Path) -> None:
    ix = make_index("whoosh", tmp_path / "index")
    for n in range(3):  # three commits: three segments
        tr, _ = make_transcript(f"file:v{n}", [f"The harbour master spoke on day {n}.", "Ferries sail again."])
        ix.add(video(f"file:v{n}"), tr, [])
    assert ix.search("harbour master", mode="keyword").hits
    assert ix.search("the harbour master spoke on day two and ferries sail", mode="quote").hits
    opened = [sub.reader() for sub, _ in ix.searcher().leaf_searchers()]
    assert len(opened) == 3
    for reader in opened:
        assert isinstance(reader._terms._postfile.file, View)  # was a BytesIO copy of the segment's postings


def test_a_background_child_that_ends_is_reaped_at_once() -> None:
    """A merger or decoder child that had finished stayed a zombie under a long-lived index worker until the next
    child started (seen for over 90 s); it is waited for as soon as it ends."""
    child = start_child("json.tool", None, "test child")  # reads its empty stdin and ends at once
    assert child is not None
    stat = Path(f"/proc/{child.pid}/stat")
    deadline = time.monotonic() + 10
    while stat.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not stat.exists(), "still there, unreaped: " + stat.read_text().split()[2]
