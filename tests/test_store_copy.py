"""`migrate-store` run again after the target went into service: what the target removed stays removed.

An operator's audit found that a second run (the docs say it may be run again at will) brought back a video deleted
in PostgreSQL for privacy, with its transcript, and an article deleted there; and that a reel edited there (a clip
removed, another moved) got the source's clip back at the position it had left free: one clip played twice. The
copy's logic is the same on SQLite and PostgreSQL (tests/test_pg_store.py runs it on PostgreSQL), so here both ends
are SQLite stores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from indexer.service import Clipindex, IngestOptions
from indexer.store.copy import copy_store
from indexer.store.schema import copied_in
from tests.conftest import FIXTURES, settings_for, stored_video


def _captions(path: Path, sentence: str) -> Path:
    path.write_text(f"WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n{sentence}\n", encoding="utf-8")
    return path


def test_a_second_copy_brings_back_nothing_the_target_removed_and_copies_what_is_new(tmp_path: Path) -> None:
    source = Clipindex(settings_for(tmp_path / "one"))
    clipped = stored_video(source)
    [witness] = source.ingest(str(_captions(tmp_path / "witness.vtt", "The witness Ivan Petrov spoke of the harbour.")),
                              IngestOptions(title="Witness interview"))
    page = tmp_path / "harbour.md"
    page.write_text("# Harbour\n\nThe witness Ivan Petrov spoke of the harbour on Monday.\n", encoding="utf-8")
    article = source.articles.add(str(page), [str(witness.video_id)]).id
    reel = source.reels.new("Week")
    for start in (0.0, 40.0, 80.0):
        source.reels.add_range(reel.id, clipped, start, start + 3.0, snap_to="none")
    target = Clipindex(settings_for(tmp_path / "two"))
    first = {t.table: t for t in copy_store(source.store, target.store)}
    assert all(t.missing == 0 and t.removed == 0 for t in first.values()), first
    assert sorted(target.store.video_ids()) == sorted([clipped, str(witness.video_id)])

    # in service: the witness's video deleted (privacy), the article with it, the reel edited
    target.delete_video(str(witness.video_id))
    target.articles.delete(article)
    target.reels.remove_clip(reel.id, 1)
    target.reels.move_clip(reel.id, 2, 1)
    edited = [(c.start, c.end) for c in target.reels.get(reel.id).clips]
    assert edited == [(80.0, 83.0), (40.0, 43.0)]
    # meanwhile the old machine took one more video in: a second run should bring it
    [late] = source.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions(language="ru"))

    again = {t.table: t for t in copy_store(source.store, target.store)}
    assert sorted(target.store.video_ids()) == sorted([clipped, str(late.video_id)]), "the deleted video stays gone"
    assert target.store.get_transcript(str(witness.video_id)) is None
    assert [a.id for a in target.articles.list()] == [], "the deleted article stays gone"
    assert [(c.start, c.end) for c in target.reels.get(reel.id).clips] == edited, "the reel as the producer left it"
    assert target.store.get_transcript(str(late.video_id)) is not None
    assert all(t.missing == 0 for t in again.values()), again
    assert again["videos"].removed == 1 and again["videos"].kept == 1
    assert again["segments"].removed == 1 and again["articles"].removed == 1
    assert again["reel_clips"].removed == 1 and again["reel_clips"].kept == 2
    with target.store.tx() as conn:
        brought = set(conn.execute(sa.select(copied_in.c.kind, copied_in.c.id)).all())
    assert {("video", clipped), ("video", str(witness.video_id)), ("video", str(late.video_id)),
            ("article", article), ("reel", reel.id)} <= brought


def test_an_interrupted_copy_is_finished_and_a_reels_clips_are_one_set(tmp_path: Path) -> None:
    """No record is written until a run copied everything, so a run cut short is finished by the next. A reel whose
    clips the target holds gets none of the source's, with or without the record (a copy made by an older clipindex
    left none)."""
    source = Clipindex(settings_for(tmp_path / "one"))
    clipped = stored_video(source)
    reel = source.reels.new("Shared")
    for start in (0.0, 40.0, 80.0):
        source.reels.add_range(reel.id, clipped, start, start + 3.0, snap_to="none")
    target = Clipindex(settings_for(tmp_path / "two"))

    def cut_short(table: str, _rows: int) -> None:
        if table == "reel_clips":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_store(source.store, target.store, cut_short)
    with target.store.tx() as conn:
        assert conn.execute(sa.select(copied_in)).all() == [], "nothing recorded for a run cut short"
    report = {t.table: t for t in copy_store(source.store, target.store)}
    assert all(t.missing == 0 for t in report.values()) and len(target.reels.get(reel.id).clips) == 3
    target.reels.remove_clip(reel.id, 1)
    with target.store.tx() as conn:  # as an older clipindex's copy left it: no record
        conn.execute(copied_in.delete())
    again = {t.table: t for t in copy_store(source.store, target.store)}
    assert [(c.start, c.end) for c in target.reels.get(reel.id).clips] == [(40.0, 43.0), (80.0, 83.0)]
    assert again["reel_clips"].kept == 3 and again["reel_clips"].missing == 0
