"""Ingest end to end through the real CLI code, real ffmpeg, the real tiny.en model and a real SQLite store."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.asr.engine import Engine, EngineChoice
from indexer.config import Settings
from indexer.errors import IngestError, NotFound, disk_trouble
from indexer.models import Chapter
from indexer.search.service import SearchService
from indexer.service import Clipindex, IngestOptions
from media.errors import NotMedia
from media.ffmpeg import probe, source_input
from tests.conftest import FIXTURES, ffmpeg, stored_video
from tests.test_captions import stl_bytes

runner = CliRunner()


def subprocess_cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    """The command in a process of its own: one that opens the index afresh (this one keeps its index open)."""
    env = {**os.environ, "CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_MODEL": "tiny.en"}
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    return done.returncode, done.stdout, done.stderr


def cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_MODEL": "tiny.en",
           "CLIPINDEX_ALLOW_FILE_URLS": "1"}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_ingest_video_file_then_list_and_export(settings: Settings, media_dir: Path) -> None:
    code, out, err = cli(settings, "ingest", str(media_dir / "report.mp4"), "--json")
    assert code == 0, err
    [result] = json.loads(out)
    assert result["status"] == "ingested" and result["video_id"].startswith("file:")
    assert result["transcript"] == "faster-whisper:tiny.en" and result["language"] == "en"

    code, out, _ = cli(settings, "videos", "--json")
    [video] = json.loads(out)
    assert video["id"] == result["video_id"] and video["state"] == "ready"
    assert 10 < video["duration"] < 20

    code, out, _ = cli(settings, "transcript", video["id"], "--format", "json")
    doc = json.loads(out)
    words = [w for s in doc["segments"] for w in s["words"]]
    assert len(words) > 20
    assert all({"start", "end", "text", "probability"} <= w.keys() for w in words)
    spoken = " ".join(w["text"].lower() for w in words)
    assert "volunteers" in spoken and "library" in spoken

    for fmt, marker in (("srt", " --> "), ("vtt", "WEBVTT"), ("txt", "library")):
        code, out, _ = cli(settings, "transcript", video["id"][:12], "--format", fmt)
        assert code == 0 and marker in out


@pytest.mark.slow
def test_reingest_is_a_noop_and_force_redoes(svc: Clipindex, media_dir: Path) -> None:
    src = str(media_dir / "speech.wav")
    [first] = list(svc.ingest(src, IngestOptions()))
    attempts = svc.store.step_status(first.video_id)["transcript"].attempt
    [again] = list(svc.ingest(src, IngestOptions()))
    assert again.status == "skipped" and again.video_id == first.video_id
    assert svc.store.step_status(first.video_id)["transcript"].attempt == attempts
    [forced] = list(svc.ingest(src, IngestOptions(force=True)))
    assert forced.status == "ingested"
    assert len(svc.videos()) == 1


@pytest.mark.slow
def test_a_failed_step_keeps_finished_ones_and_resumes(settings: Settings, media_dir: Path) -> None:
    def broken_engine(_settings: Settings, _choice: EngineChoice) -> Engine:
        raise RuntimeError("engine crashed")

    crashing = Clipindex(settings, engine_factory=broken_engine)
    src = str(media_dir / "speech.wav")
    with pytest.raises(RuntimeError):
        list(crashing.ingest(src, IngestOptions()))
    [summary] = crashing.videos()
    assert summary.state == "incomplete"
    steps = crashing.store.step_status(summary.id)
    assert steps["audio"].status == "done" and steps["transcript"].status == "failed"

    healthy = Clipindex(settings)
    [result] = list(healthy.ingest(src, IngestOptions()))
    assert result.status == "ingested"
    steps = healthy.store.step_status(summary.id)
    assert steps["audio"].attempt == 1, "the finished audio step must not run again"
    assert steps["transcript"].attempt == 2
    assert healthy.transcript(summary.id).words


@pytest.mark.parametrize("name, args, message", [
    ("missing", ["/no/such/file.mp4"], "no such file"),
    ("notmedia", ["{d}/notmedia.mp4"], "not a media file"),
    ("truncated", ["{d}/truncated.mp4"], "not a media file"),
    ("empty", ["{d}/empty.mp3"], "empty"),
    ("no audio", ["{d}/silent_video.mp4"], "no audio stream"),
    ("language", ["{d}/speech.wav", "--language", "klingon"], "unknown language code"),
    ("scheme", ["ftp://example.org/video.mp4"], "unsupported URL scheme"),
    ("captions only", ["{d}/speech.wav", "--captions", "only"], "--captions only"),
    ("bad caption", ["{d}/bad.srt"], "bad cue timing"),
    ("bad json", ["{d}/bad.json"], "does not parse"),
    ("bad policy", ["{d}/speech.wav", "--captions", "sometimes"], "--captions must be one of"),
    ("article", ["{d}/speech.wav", "--article", "/no/article.html"], "neither a URL nor an existing file"),
])
def test_bad_input_one_line_error_nothing_left(
    settings: Settings, media_dir: Path, name: str, args: list[str], message: str
) -> None:
    (media_dir / "bad.srt").write_text("1\n00:00:zz,000 --> 00:00:01,000\nbroken\n")
    (media_dir / "bad.json").write_text('{"format": "something else"}')
    code, out, err = cli(settings, "ingest", *[a.format(d=media_dir) for a in args])
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err
    assert "Traceback" not in err + out
    assert Clipindex(settings).videos() == []
    assert not any((settings.data_dir / "media").glob("*")) if (settings.data_dir / "media").exists() else True


def test_a_file_that_begins_as_a_playlist_is_no_media_and_sources_open_as_probed(settings: Settings, media_dir: Path,
                                                                                   tmp_path: Path) -> None:
    """An upload made of an HLS playlist naming a file elsewhere on the server, then 3 s of MPEG-TS: the probe (PyAV)
    read the MPEG-TS, the ffmpeg binary the playlist, and the other file was transcribed and its frames served."""
    private = tmp_path / "outside" / "interview.mp4"
    private.parent.mkdir()
    shutil.copy(media_dir / "report.mp4", private)
    decoy = tmp_path / "decoy.ts"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x90:rate=25:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
           "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts", str(decoy))
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:50\n#EXTINF:46.0,\nfile://{private}\n#EXT-X-ENDLIST\n"
    clip = tmp_path / "clip.ts"
    clip.write_bytes(playlist.encode() + decoy.read_bytes())
    svc = Clipindex(settings)
    with pytest.raises(IngestError, match="a playlist or manifest that names other files, not media"):
        list(svc.ingest(str(clip), IngestOptions(keep_video=True)))
    assert svc.videos() == []
    # ffmpeg's own probe skips an ID3 tag and reads a DASH manifest in any case, anywhere in its first bytes
    id3 = b"ID3\x04\x00\x00\x00\x00\x00\x15" + b"\x00" * 21
    dash = b"\x00" * 5000 + b'<mpd xmlns="urn:mpeg:dash:schema:mpd:2011"><Period/></mpd>'
    for name, body in (("id3.mp3", id3 + playlist.encode()), ("lower.mp4", dash + decoy.read_bytes())):
        (tmp_path / name).write_bytes(body)
        with pytest.raises(NotMedia, match="names other files"):
            probe(tmp_path / name)
    # every ffmpeg run opens a source with the demuxer the probe found, never one the binary guesses anew
    assert source_input(decoy)[:4] == ["-protocol_whitelist", "file", "-f", "mpegts"]
    assert source_input(media_dir / "report.mp4")[2:4] == ["-f", "mov"]


@pytest.mark.slow
def test_ingesting_again_adds_a_video_whose_index_commit_was_lost(settings: Settings) -> None:
    """An index step only queues its passages; the commit follows within a second, or at the command's exit. When
    that commit failed (a full disk, an index busy past the lock's patience, SIGTERM before it), the ingest had said
    "ingested", its index step was done, and ingesting again said "skipped" and left the video unsearchable."""
    code, out, err = cli(settings, "ingest", str(FIXTURES / "captions_ru.vtt"), str(FIXTURES / "captions_uz.srt"),
                         "--json")
    assert code == 0, err
    video_id = json.loads(out)[0]["video_id"]
    Clipindex(settings).index.backend.delete(video_id)  # what a lost commit leaves: the store has it, the index not
    assert cli(settings, "search", "Каменку", "--json")[1].strip() == "[]"
    code, out, err = cli(settings, "ingest", str(FIXTURES / "captions_ru.vtt"), "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "skipped", err
    code, out, _ = cli(settings, "search", "Каменку", "--json")
    assert [h["video_id"] for h in json.loads(out)][:1] == [video_id]


def test_a_quote_search_cut_short_says_so_and_shows_what_it_found(settings: Settings,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote search past its time budget (a busy machine) printed nothing and said nothing: now it shows the best
    of its first stage and says on stderr that it stopped early, as the page does."""
    import indexer.search.query as search

    code, out, err = cli(settings, "ingest", str(FIXTURES / "captions_ru.vtt"), "--json")
    assert code == 0, err
    video_id = json.loads(out)[0]["video_id"]
    misremembered = '"уровень воды в реке Каменка поднялся на два метра за сутки"'
    code, out, err = cli(settings, "search", misremembered, "--json")
    assert code == 0 and "stopped early" not in err, err
    monkeypatch.setattr(search, "TIME_BUDGET_S", 0.0)
    code, out, err = cli(settings, "search", misremembered, "--json")
    assert code == 0 and "the search stopped early" in err and "CLIPINDEX_QUOTE_BUDGET_S" in err, err
    assert [h["video_id"] for h in json.loads(out)][:1] == [video_id]


@pytest.mark.slow
def test_a_damaged_index_table_of_contents_is_made_again_from_the_store(settings: Settings) -> None:
    """A garbled `.toc` (a full disk, a crash mid-write) failed every search, ingest and even `reindex` with an
    UnpicklingError traceback: the documented recovery itself failed."""
    code, out, err = cli(settings, "ingest", str(FIXTURES / "captions_ru.vtt"), str(FIXTURES / "captions_uz.srt"))
    assert code == 0, err
    tocs = list((settings.data_dir / "index").rglob("_MAIN_*.toc"))
    assert tocs
    for toc in tocs:
        raw = bytearray(toc.read_bytes())
        raw[10:210] = b" " * 200
        toc.write_bytes(bytes(raw))
    code, out, err = subprocess_cli(settings, "search", "Каменку")
    assert code == 0 and "Каменку" in out and "Traceback" not in err, (out, err)
    for toc in (settings.data_dir / "index").rglob("_MAIN_*.toc"):
        toc.write_bytes(b"\x80\x04garbled")
    code, out, err = subprocess_cli(settings, "reindex", "--quiet")
    assert code == 0 and "Traceback" not in err, err
    assert "Каменку" in subprocess_cli(settings, "search", "Каменку")[1]


@pytest.mark.slow
def test_a_damaged_store_or_a_full_disk_is_one_line_that_says_what_to_do(settings: Settings) -> None:
    """A garbled clipindex.db gave 448 lines of traceback on every command; SQLite's "disk is full" was blamed on a
    database server ("check CLIPINDEX_DATABASE_URL"); a full disk outside the store was a raw traceback."""
    assert cli(settings, "ingest", str(FIXTURES / "captions_ru.vtt"))[0] == 0
    db = settings.data_dir / "clipindex.db"
    db.write_bytes(b"not a database at all " * 300)
    for wal in settings.data_dir.glob("clipindex.db-*"):
        wal.unlink()
    code, out, err = subprocess_cli(settings, "videos")
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith("error: the store is damaged: file is not a database"), err
    assert "sqlite3 clipindex.db .recover" in err and "CLIPINDEX_DATABASE_URL" not in err
    assert disk_trouble(OSError(errno.ENOSPC, "No space left on device", "/data/index/x.seg")) == \
        "No space left on device: /data/index/x.seg"
    assert disk_trouble(ValueError("x")) is None and disk_trouble(OSError(errno.ENOENT, "gone")) is None


def test_caption_file_import_with_youtube_url(settings: Settings, tmp_path: Path) -> None:
    vtt = tmp_path / "report.ru.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nГородской совет утвердил бюджет.\n\n"
                   "00:00:04.500 --> 00:00:07.000\nМэр выступил перед жителями.\n", encoding="utf-8")
    code, out, err = cli(settings, "ingest", str(vtt), "--language", "ru", "--title", "Бюджет",
                         "--url", "https://www.youtube.com/watch?v=AbCdEfGhIjK", "--json")
    assert code == 0, err
    [result] = json.loads(out)
    assert result["video_id"] == "yt:AbCdEfGhIjK" and result["language"] == "ru"
    assert result["transcript"] == "captions:file" and result["title"] == "Бюджет"
    code, out, _ = cli(settings, "transcript", "AbCdEfGhIjK", "--format", "json")
    words = [w for s in json.loads(out)["segments"] for w in s["words"]]
    assert [w["text"] for w in words][:3] == ["Городской", "совет", "утвердил"]
    assert words[0]["start"] == 1.0 and words[-1]["end"] == 7.0
    assert all(a["end"] <= b["start"] for a, b in zip(words, words[1:]))


def test_a_caption_file_that_names_no_language_is_read_for_it(settings: Settings, tmp_path: Path) -> None:
    """A caption file ingested without --language used to be "und": the chapters then went without the embedding
    model (covered languages only) and titles and search without the language's stop words. Now the language is
    the WebVTT header's, else read from the words; --language still decides when given."""
    svc = Clipindex(settings)
    english = tmp_path / "council.srt"
    english.write_text("1\n00:00:01,000 --> 00:00:05,000\nThe city council voted on Monday to close the old bridge\n\n"
                       "2\n00:00:05,500 --> 00:00:09,000\nfor repairs that will take most of the summer.\n",
                       encoding="utf-8")
    unclear = tmp_path / "numbers.srt"
    unclear.write_text("1\n00:00:01,000 --> 00:00:03,000\n2024 - 2025\n", encoding="utf-8")
    said = {}
    for path in (FIXTURES / "captions_ru.vtt", FIXTURES / "captions_uz.srt", english, unclear):
        [done] = svc.ingest(str(path), IngestOptions())
        assert done.status == "ingested", done.error
        said[path.name] = svc.store.get_transcript(done.video_id).language  # type: ignore[arg-type,union-attr]
    assert said == {"captions_ru.vtt": "ru", "captions_uz.srt": "uz", "council.srt": "en", "numbers.srt": "und"}

    ru = next(v for v in svc.store.transcribed_ids() if svc.store.get_transcript(v).language == "ru")  # type: ignore[union-attr]
    [first, *_] = svc.store.get_chapters(ru, "computed")
    assert first.method.startswith("e5-small"), "Russian is the model's: its chapters use it"
    assert [h.video_id for h in svc.search("поднялся почти на два метра", language="ru").hits][:1] == [ru]
    # Uzbek has no Snowball stemmer: its words meet by their first letters, so a form said nowhere finds the others
    uz = next(v for v in svc.store.transcribed_ids() if svc.store.get_transcript(v).language == "uz")  # type: ignore[union-attr]
    [hit] = svc.search("byudjetga", mode="keyword").hits
    assert hit.video_id == uz and hit.text.startswith("byudjetini") and hit.text.endswith("byudjet")

    named = tmp_path / "said.vtt"
    named.write_text("WEBVTT\nKind: captions\nLanguage: uz\n\n00:00:01.000 --> 00:00:04.000\n"
                     "Городской совет утвердил бюджет.\n", encoding="utf-8")
    [done] = svc.ingest(str(named), IngestOptions())
    assert svc.store.get_transcript(done.video_id).language == "uz", "the header is the file's word"  # type: ignore[arg-type,union-attr]
    other = tmp_path / "other.srt"
    other.write_text(english.read_text(encoding="utf-8").replace("bridge", "tunnel"), encoding="utf-8")
    [done] = svc.ingest(str(other), IngestOptions(language="de"))
    assert svc.store.get_transcript(done.video_id).language == "de", "--language wins"  # type: ignore[arg-type,union-attr]


def test_a_search_without_a_language_reads_the_query_in_the_archive_languages(settings: Settings,
                                                                                  tmp_path: Path) -> None:
    """A query without --language was read plainly and as English, Russian and Uzbek only, so in a German archive
    "Pfeiler" did not find "Pfeilern" (the German stemmer joins them) unless the user named the language."""
    svc = Clipindex(settings)
    german = tmp_path / "brücke.srt"
    german.write_text("1\n00:00:01,000 --> 00:00:06,000\nDer Stadtrat hat beschlossen, die alte Brücke zu sperren.\n\n"
                      "2\n00:00:06,500 --> 00:00:12,000\nDie Ingenieure haben schwere Schäden an den Pfeilern "
                      "gefunden.\n", encoding="utf-8")
    [done] = svc.ingest(str(german), IngestOptions())
    assert done.language == "de"
    assert svc.index.archive_languages() == ["de"]
    [hit] = svc.search("Pfeiler").hits
    assert hit.video_id == done.video_id and hit.text == "Pfeilern"
    assert svc.search("Pfeiler", language="de").hits[0].text == "Pfeilern"
    # keywords go by their content words: "die" and "an" are German stop words, and "Preise" is said nowhere
    assert svc.search("die Preise an", mode="keyword").hits == []
    [hit] = svc.search("die Pfeiler an", mode="keyword").hits
    assert hit.text == "Pfeilern", "only the content word is the hit"
    assert svc.search("die an", mode="keyword").hits, "stop words alone are still searched"


def test_reindex_with_chapters_names_the_language_an_older_version_left_undetermined(settings: Settings) -> None:
    svc = Clipindex(settings)
    [done] = svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions())
    ru = done.video_id
    assert ru is not None
    end = svc.store.get_transcript(ru).segments[-1].end  # type: ignore[union-attr]
    svc.store.set_language(ru, "und")  # as a caption file was stored before its language was read
    svc.store.put_chapters(ru, "computed", [Chapter(ru, 0.0, end, "Old title", method="lexical + pauses")])
    assert svc.video(ru).language == "und"
    code, out, err = cli(settings, "reindex", "--chapters", "--quiet")
    assert code == 0, err
    assert svc.store.get_transcript(ru).language == "ru" and svc.video(ru).language == "ru"  # type: ignore[union-attr]
    assert svc.store.get_chapters(ru, "computed")[0].method.startswith("e5-small")
    assert [h.video_id for h in svc.search("поднялся почти на два метра", language="ru").hits][:1] == [ru]
    svc.store.set_language(ru, "und")
    assert Clipindex(settings).chapters.recompute(ru)[0].method.startswith("e5-small"), "one video, the same way"
    assert svc.video(ru).language == "ru"


def test_reindex_with_chapters_segments_every_video_again_and_hits_carry_the_new_titles(settings: Settings) -> None:
    """After an upgrade an archive keeps the chapters its ingest computed. `clipindex reindex --chapters` segments
    every transcript again as ingest does, keeps the creator's chapters, and rebuilds the index with the new titles."""
    svc = Clipindex(settings)
    for name, language in (("captions_uz.srt", "uz"), ("captions_ru.vtt", "ru")):
        [done] = svc.ingest(str(FIXTURES / name), IngestOptions(language=language))
        assert done.video_id is not None
    svc.index.flush()  # the ingest's batched commit, before the chapters are changed behind the index's back
    ids = svc.store.transcribed_ids()
    assert len(ids) == 2
    fresh = {v: svc.store.get_chapters(v, "computed") for v in ids}
    assert all(fresh.values())
    for v in ids:  # what an older version computed: one chapter, in the index too
        end = svc.store.get_transcript(v).segments[-1].end  # type: ignore[union-attr]
        svc.store.put_chapters(v, "computed", [Chapter(v, 0.0, end, "Old title", method="old")])
    uz = next(v for v in ids if svc.store.get_transcript(v).language == "uz")  # type: ignore[union-attr]
    ru = next(v for v in ids if v != uz)
    creator = [Chapter(ru, 0.0, 5.0, "The creator's own", source="creator")]
    svc.store.put_chapters(ru, "creator", creator)

    def hit_chapter() -> str | None:
        [hit] = Clipindex(settings).search("byudjetini tasdiqladi", limit=1).hits
        return hit.chapter

    code, out, err = cli(settings, "reindex", "--quiet")
    assert code == 0 and "segmented" not in out, err
    assert hit_chapter() == "Old title", "a plain reindex keeps the stored chapters"
    code, out, err = cli(settings, "reindex", "--chapters", "--quiet")
    assert code == 0, err
    assert "segmented 2 videos into chapters again" in out
    assert {v: svc.store.get_chapters(v, "computed") for v in ids} == fresh, "as its ingest segmented it"
    assert svc.store.get_chapters(ru, "creator") == creator, "the creator's chapters stay"
    assert hit_chapter() == fresh[uz][0].title != "Old title"


@pytest.mark.slow
def test_sidecar_captions_are_used_for_a_local_file(settings: Settings, media_dir: Path, tmp_path: Path) -> None:
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)
    (tmp_path / "story.srt").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose two metres.\n")
    code, out, err = cli(settings, "ingest", str(media), "--json")
    assert code == 0, err
    assert json.loads(out)[0]["transcript"] == "captions:sidecar"
    code, out, err = cli(settings, "ingest", str(media), "--captions", "never", "--force", "--json")
    assert json.loads(out)[0]["transcript"] == "faster-whisper:tiny.en"
    # a broadcast delivery names both in capitals (CLIP.MP4, CLIP.SRT): Whisper ran, or --captions only failed
    shouting = tmp_path / "CLIP.MP4"
    ffmpeg("-i", str(media_dir / "report.mp4"), "-c", "copy", "-metadata", "comment=delivery", "-f", "mp4",
           str(shouting))  # another file (ids are content hashes)
    (tmp_path / "CLIP.SRT").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose two metres.\n")
    code, out, err = cli(settings, "ingest", str(shouting), "--captions", "only", "--title", "Shouting", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["transcript"] == "captions:sidecar"


def test_a_forced_ingest_refused_at_its_first_step_leaves_the_video_as_it_was(settings: Settings, media_dir: Path,
                                                                               tmp_path: Path) -> None:
    """`ingest --force --captions only` of a file whose sidecar captions are gone failed, as it should, but left every
    step reset and the new options stored: the next plain `ingest` transcribed the video again from the start."""
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)
    (tmp_path / "story.srt").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose two metres.\n")
    svc = Clipindex(settings)
    [first] = list(svc.ingest(str(media), IngestOptions()))
    assert first.video_id is not None
    runs = {s: (r.status, r.attempt) for s, r in svc.store.step_status(first.video_id).items()}
    (tmp_path / "story.srt").unlink()
    with pytest.raises(IngestError, match="no sidecar caption file"):
        list(svc.ingest(str(media), IngestOptions(captions="only", force=True)))
    assert {s: (r.status, r.attempt) for s, r in svc.store.step_status(first.video_id).items()} == runs
    [again] = list(svc.ingest(str(media), IngestOptions()))
    assert again.status == "skipped" and again.transcript == "captions:sidecar"


def test_every_step_ends_its_progress_at_100_percent(settings: Settings, tmp_path: Path) -> None:
    """The chapters and index steps report no progress of their own: their bars stood at 0% when the ingest ended."""
    captions = tmp_path / "a.srt"
    captions.write_text("1\n00:00:01,000 --> 00:00:03,000\nThe bridge stays closed until Friday.\n")
    seen: dict[str, float] = {}
    list(Clipindex(settings).ingest(str(captions), IngestOptions(language="en"),
                                    lambda _video, step, fraction, _detail: seen.__setitem__(step, fraction)))
    assert seen.get("chapters") == 1.0 and seen.get("index") == 1.0, seen


@pytest.mark.slow  # 2-3 s: the quick lane stays under a minute
def test_a_moved_file_is_found_where_it_is_now_and_force_takes_a_new_title(settings: Settings, media_dir: Path,
                                                                           tmp_path: Path) -> None:
    """A newsroom reorganises its folders: the archive plays and clips the file where it now is, not where it was."""
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)
    (tmp_path / "story.srt").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose two metres.\n")
    svc = Clipindex(settings)
    [first] = list(svc.ingest(str(media), IngestOptions()))
    moved = tmp_path / "archive" / "2026" / "flood.mp4"
    moved.parent.mkdir(parents=True)
    media.rename(moved)
    (tmp_path / "story.srt").rename(moved.with_suffix(".srt"))
    [again] = list(svc.ingest(str(moved), IngestOptions()))
    assert again.status == "skipped" and again.video_id == first.video_id
    video = svc.store.get_video(str(first.video_id))
    assert video.media_path == str(moved.resolve()) and video.title == "story"
    [forced] = list(svc.ingest(str(moved), IngestOptions(force=True, title="Flood, the second day",
                                                       url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")))
    video = svc.store.get_video(str(first.video_id))
    assert forced.status == "ingested" and video.title == "Flood, the second day"
    assert video.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    copy = tmp_path / "copy.mp4"  # the same content elsewhere, the recorded file still there: nothing moves
    shutil.copy(moved, copy)
    list(svc.ingest(str(copy), IngestOptions(captions="never", model="tiny.en", force=True)))
    assert svc.store.get_video(str(first.video_id)).media_path == str(moved.resolve())


def test_a_file_replaced_in_place_is_not_served_as_the_old_video(settings: Settings, media_dir: Path,
                                                                   tmp_path: Path) -> None:
    """An editor exports a new cut under the old name: the old video's player, frames and clips showed the new
    report at the old transcript's times. Now it says its file was replaced; the new file is a video of its own."""
    media = tmp_path / "story.mp4"
    shutil.copy(media_dir / "report.mp4", media)
    (tmp_path / "story.srt").write_text("1\n00:00:00,000 --> 00:00:03,000\nThe river rose two metres.\n")
    svc = Clipindex(settings)
    [first] = list(svc.ingest(str(media), IngestOptions(keep_video=True)))
    assert svc.media_file(str(first.video_id)) == media.resolve()
    reel = svc.reels.new("Flood").id
    svc.reels.add_range(reel, str(first.video_id), 0.5, 2.0, snap_to="none")
    ffmpeg("-i", str(media_dir / "report.mp4"), "-t", "3", "-c", "copy", "-f", "mp4", str(media))  # a new cut
    for read in (lambda: svc.media_file(str(first.video_id)), lambda: svc.frame(str(first.video_id), 1.0),
                 lambda: svc.reels.render(reel, tmp_path / "out.mp4", allowed_dir=tmp_path),
                 lambda: svc.reels.export(reel, "edl"), lambda: svc.reels.export(reel, "otio")):
        with pytest.raises(NotFound, match="has been replaced by another since it was ingested"):
            read()  # exports too: they linked the new cut, timed by its own frame rate, without a word
    assert "river rose" in svc.reels.export(reel, "srt"), "captions link no media"
    [second] = list(svc.ingest(str(media), IngestOptions()))
    assert second.video_id != first.video_id and svc.media_file(str(second.video_id)) == media.resolve()


@pytest.mark.slow
def test_json_transcript_round_trip(svc: Clipindex, media_dir: Path, tmp_path: Path) -> None:
    [result] = list(svc.ingest(str(media_dir / "speech.wav"), IngestOptions()))
    exported = tmp_path / "t.json"
    exported.write_text(svc.render_transcript(result.video_id, "json"), encoding="utf-8")
    [imported] = list(svc.ingest(str(exported), IngestOptions(title="imported")))
    assert imported.video_id != result.video_id
    assert svc.transcript(imported.video_id).words == svc.transcript(result.video_id).words


def test_unknown_video_and_format(svc: Clipindex, settings: Settings) -> None:
    code, _, err = cli(settings, "transcript", "nope:nothing")
    assert code == 3 and "no video" in err
    with pytest.raises(IngestError):
        list(svc.ingest("/definitely/missing.wav", IngestOptions()))


def test_a_caption_files_sound_cues_are_neither_searched_nor_timed(settings: Settings, tmp_path: Path) -> None:
    srt = tmp_path / "evening.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:04,000\n[Music]\n\n"
                   "2\n00:00:04,000 --> 00:00:08,000\n>> ANCHOR: Good evening, the council closed the bridge.\n\n"
                   "3\n00:00:08,000 --> 00:00:10,000\n(APPLAUSE)\n", encoding="utf-8")
    svc = Clipindex(settings)
    [done] = svc.ingest(str(srt), IngestOptions(language="en"))
    assert done.status == "ingested", done.error
    transcript = svc.store.get_transcript(done.video_id)  # type: ignore[arg-type]
    assert transcript is not None and transcript.text == "Good evening, the council closed the bridge."
    assert transcript.words[0].start == 4.0, "the first word is timed from its own cue, not from the jingle"
    assert not svc.search("music", mode="keyword").hits and not svc.search("anchor applause", mode="keyword").hits
    assert svc.search("council bridge", mode="keyword").hits


def test_a_caption_export_names_the_cues_too_fast_to_read(settings: Settings, tmp_path: Path) -> None:
    srt = tmp_path / "fast.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,500\nThe President of the United States said on Tuesday that "
                   "the talks would go on, despite the strikes.\n\n"
                   "2\n00:00:03,000 --> 00:00:08,000\nThe bridge stays closed.\n", encoding="utf-8")
    [done] = Clipindex(settings).ingest(str(srt), IngestOptions(language="en"))
    code, out, err = cli(settings, "transcript", str(done.video_id), "--format", "srt")
    assert code == 0 and "00:00:00,000 --> 00:00:03,000" in out  # held on into the pause, up to the next cue
    assert "1 cue(s) go faster than 20 characters a second" in err and "00:00:00.000" in err
    code, out, err = cli(settings, "transcript", str(done.video_id), "--format", "txt")
    assert code == 0 and "faster" not in err


def test_a_ttml_file_is_ingested_in_the_language_it_names(settings: Settings, tmp_path: Path) -> None:
    """Broadcast TTML (here EBU-TT-D style, Uzbek), EBU STL (Cyrillic) and YouTube's SBV were refused as
    unsupported files; an STL header's language code, like TTML's xml:lang, names the language."""
    ttml = tmp_path / "kechki.ttml"
    ttml.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="uz">'
                    '<body><div><p begin="00:00:01.000" end="00:00:04.000">Shahar kengashi byudjetni tasdiqladi.</p>'
                    '<p begin="00:00:04.500" end="00:00:08.000">Hokim so\'zga chiqdi.</p></div></body></tt>',
                    encoding="utf-8")
    sbv = tmp_path / "studio.sbv"
    sbv.write_text("0:00:01.000,0:00:04.000\nThe river rose two metres overnight.\n", encoding="utf-8")
    stl = tmp_path / "archive.stl"
    stl.write_bytes(stl_bytes([((10, 0, 1, 0), (10, 0, 4, 0), "Мост закрыт до пятницы.".encode("iso8859_5"), 0xFF, 0)],
                              table=b"01"))
    named = tmp_path / "named.stl"  # two words tell no language: the header's code (47, Uzbek) does
    named.write_bytes(stl_bytes([((10, 0, 1, 0), (10, 0, 3, 0), "Кўприк ёпилди.".encode("iso8859_5"), 0xFF,
                                  0)], table=b"01", language=b"47"))
    code, out, err = cli(settings, "ingest", str(ttml), str(sbv), str(stl), str(named), "--json")
    assert code == 0, err
    done = json.loads(out)
    assert [d["status"] for d in done] == ["ingested"] * 4, done
    svc = Clipindex(settings)
    languages = [svc.store.get_transcript(d["video_id"]).language for d in done]  # type: ignore[union-attr]
    assert languages[0] == "uz" and languages[3] == "uz", languages
    [hit] = svc.search("byudjetga", mode="keyword").hits
    assert 1.0 < hit.start < 4.0 and hit.text == "byudjetni", "timed inside its paragraph's 1-4 s"


def test_a_stream_whose_codec_cannot_be_named_is_no_stream(tmp_path: Path) -> None:
    """One flipped bit in the MP4's "minf" box name left its video stream without a codec context, and the probe
    failed with an AttributeError traceback (`bench/fuzz_inputs.py --seed 46`, header flips)."""
    data = bytearray((FIXTURES / "report_en.mp4").read_bytes())
    at = data.find(b"minf")
    assert at > 0, "the fixture changed"
    data[at + 2] ^= 1 << 3
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    info = probe(damaged)
    assert info.has_audio and not info.has_video and info.video_codec is None


def test_a_video_is_ready_only_when_its_ingest_ran_to_the_end(settings: Settings,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`videos` said "ready" for any video with a transcript: one whose index step had failed (a full disk) was
    "ready" and search found nothing in it, and one whose chapters step ran at that moment was "ready" too."""
    def full_disk(*_args: object, **_kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SearchService, "index_video", full_disk)
    svc = Clipindex(settings)
    with pytest.raises(OSError):
        list(svc.ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions()))
    [summary] = svc.videos()
    assert summary.transcript and summary.state == "incomplete" and summary.unfinished == {"index": "failed"}
    code, out, _ = cli(settings, "videos", "--json")
    assert code == 0 and json.loads(out)[0]["unfinished"] == {"index": "failed"}
    table = cli(settings, "videos")[1]
    assert all(word in table for word in ("incomplete", "(index", "failed)")), table  # the table folds long cells
    monkeypatch.undo()
    [result] = list(Clipindex(settings).ingest(str(FIXTURES / "captions_ru.vtt"), IngestOptions()))
    assert result.status == "ingested"
    assert svc.video_summary(summary.id).state == "ready" and svc.video_summary(summary.id).unfinished == {}
    svc.store.reset_steps(summary.id, ["chapters"])  # a re-run of the chapters step, held by a live worker
    assert svc.store.claim_step(summary.id, "chapters", "worker-1", 60.0)
    running = svc.video_summary(summary.id)
    assert (running.state, running.unfinished) == ("ingesting", {"chapters": "running"})
    assert svc.store.claim_step(summary.id, "chapters", "worker-1", -1.0)  # its worker gone: the lease ran out
    assert svc.video_summary(summary.id).unfinished == {"chapters": "cut off"}
    assert svc.video_summary(summary.id).state == "incomplete"


def test_videos_lists_a_page_of_the_archive(settings: Settings) -> None:
    """`clipindex videos` printed every video of the archive, 4,004 table lines for 2,000 videos; it pages now, as
    the API does, and a page reads only its own rows."""
    svc = Clipindex(settings)
    for n in range(4):
        stored_video(svc, f"file:page{n}")
    code, out, err = cli(settings, "videos", "--limit", "2", "--offset", "1", "--json")
    assert code == 0, err
    assert [v["id"] for v in json.loads(out)] == ["file:page1", "file:page2"]
    assert [v.id for v in svc.videos(10, 3)] == ["file:page3"] and svc.video_count() == 4
    assert cli(settings, "videos", "--limit", "0")[0] == 2


@pytest.mark.slow
def test_compact_gives_back_the_space_of_deleted_videos(settings: Settings) -> None:
    """Deleting videos gave no disk space back, and no command did: the store kept its size (SQLite's free pages)
    and the index its deleted passages."""
    svc = Clipindex(settings)
    for n in range(30):
        svc.index.index_video(stored_video(svc, f"file:gone{n}"))
    for n in range(1, 30):
        svc.delete_video(f"file:gone{n}")
    def store_size() -> int:  # the file and its write-ahead log
        return sum(p.stat().st_size for p in settings.data_dir.glob("clipindex.db*") if p.suffix != ".lock")

    before = store_size()
    code, out, err = cli(settings, "compact", "--quiet")
    assert code == 0 and "indexed" in out and "store " in out, (out, err)
    assert store_size() < before / 2, (out, before, store_size())
    assert {h.video_id for h in svc.search("Sentence", mode="keyword", limit=50).hits} == {"file:gone0"}
