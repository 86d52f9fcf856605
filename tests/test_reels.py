"""Reels end to end: clips from a range, a chapter and a hit; reorder; render; editor exports read back by OTIO."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.config import Settings
from indexer.errors import InvalidInput
from indexer.models import Clip
from indexer.reels.clips import snap
from indexer.service import Clipindex, IngestOptions
from media.ffmpeg import probe
from media.timeline import timeline_rate
from tests.apiserver import running
from tests.conftest import ffmpeg, settings_for, stored_video
from tests.waiting import wait_until

# every test ingests two videos with the real tiny.en model, and most render with ffmpeg
pytestmark = pytest.mark.slow

runner = CliRunner()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One data directory for the module: the two videos are ingested (real ASR) once, not once per test."""
    return settings_for(tmp_path_factory.mktemp("reels"))


@pytest.fixture(scope="module")
def two_videos(settings: Settings, media_dir: Path) -> tuple[Clipindex, str, str]:
    library = settings.data_dir / "library"
    library.mkdir(parents=True)
    shutil.copy(media_dir / "report.mp4", library / "small.mp4")  # 320x180, 25 fps
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=30", "-i", str(media_dir / "speech_raw.wav"), "-shortest",
           "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-ar", "44100", str(library / "large.mp4"))
    svc = Clipindex(settings)
    ids = [next(iter(svc.ingest(str(library / n), IngestOptions(title=n)))).video_id for n in ("small.mp4",
                                                                                                  "large.mp4")]
    return svc, str(ids[0]), str(ids[1])


def cli(settings: Settings, *args: str) -> str:
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_OUTPUT_DIR": str(settings.data_dir / "out")}
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_snapping_never_cuts_a_word(two_videos: tuple[Clipindex, str, str]) -> None:
    svc, small, _large = two_videos
    words = svc.transcript(small).words
    for w in words[1:-1]:
        inside = (w.start + w.end) / 2
        start, end = snap(words, inside, inside + 1.0, "word")
        assert start == w.start, "a start inside a word moves to the word's start"
        assert not any(x.start < end < x.end for x in words)


def test_reel_from_range_chapter_and_hit_renders_and_exports(two_videos: tuple[Clipindex, str, str],
                                                            settings: Settings) -> None:
    svc, small, large = two_videos
    reel = cli(settings, "reel", "new", "Flood highlights").split()[0]
    cli(settings, "reel", "add", reel, "--video", small, "--start", "0.8", "--end", "3.1", "--pad", "0.2")
    cli(settings, "reel", "add", reel, "--chapter", large, "1")
    hit = json.loads(cli(settings, "search", '"the bridge will stay closed until Friday"', "--video", large,
                         "--json"))[0]
    cli(settings, "reel", "add", reel, "--hit", json.dumps(hit))
    cli(settings, "reel", "move", reel, "3", "1")
    shown = svc.reels.get(reel)
    assert [c.origin for c in shown.clips] == ["hit", "range", "chapter"]
    cli(settings, "reel", "remove", reel, "3")
    clips = svc.reels.get(reel).clips
    words = {v: svc.transcript(v).words for v in (small, large)}
    for c in clips:
        assert not any(w.start < c.start < w.end or w.start < c.end < w.end for w in words[c.video_id])

    out = cli(settings, "reel", "render", reel, "-o", "reel.mp4", "--captions", "sidecar")
    target = settings.data_dir / "out" / "reel.mp4"
    assert "wrote" in out and target.is_file() and target.with_suffix(".srt").is_file()
    info = probe(target)
    expected = sum(c.end - c.start for c in clips)
    assert abs(info.duration - expected) <= 0.1 * len(clips) and info.has_video and info.has_audio
    first_cue = target.with_suffix(".srt").read_text().split("\n")[1]
    assert first_cue.startswith("00:00:0"), "captions are re-based onto the reel"

    for fmt, suffix in (("edl", "edl"), ("fcpxml", "fcpxml"), ("otio", "otio")):
        path = settings.data_dir / f"reel.{suffix}"
        cli(settings, "reel", "export", reel, "--format", fmt, "-o", str(path))
        # an EDL carries no frame rate: read it at the timeline rate the export used (one frame of tolerance)
        rate = timeline_rate([25.0, 30.0])
        timeline = otio.adapters.read_from_file(str(path), **({"rate": rate} if fmt == "edl" else {}))
        read = [c for c in timeline.find_clips() if c.parent().kind == "Video"]
        sound = [c for c in timeline.find_clips() if c.parent().kind == "Audio"]
        assert len(read) == len(clips)
        assert len(sound) >= len(clips) or fmt == "fcpxml"  # the sound comes with the picture (in FCPXML's clips)
        for got, want in zip(read, clips):
            start = got.source_range.start_time.to_seconds()
            length = got.source_range.duration.to_seconds()
            assert abs(start - want.start) <= 1.01 / 25 and abs(length - (want.end - want.start)) <= 2.01 / 25
    manifest = json.loads(cli(settings, "reel", "export", reel, "--format", "json"))
    assert len(manifest["clips"]) == len(clips)


def test_a_relative_output_path_is_read_from_the_current_directory_inside_the_output_one(
        two_videos: tuple[Clipindex, str, str], settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o out/short.mp4`, run beside CLIPINDEX_OUTPUT_DIR=./out, wrote to out/out/short.mp4 (and failed: no such
    folder); `-o short.mp4` run from elsewhere still lands in the output directory."""
    svc, small, _large = two_videos
    reel = svc.reels.new("short").id
    svc.reels.add_range(reel, small, 0.5, 1.5)
    monkeypatch.chdir(settings.data_dir)
    assert "wrote" in cli(settings, "reel", "render", reel, "-o", "out/short.mp4", "--fast")
    assert (settings.data_dir / "out" / "short.mp4").is_file() and not (settings.data_dir / "out" / "out").exists()
    monkeypatch.chdir(settings.data_dir.parent)
    assert "wrote" in cli(settings, "reel", "render", reel, "-o", "short2.mp4", "--fast")
    assert (settings.data_dir / "out" / "short2.mp4").is_file()


BAD_CLIPS = [
    (["--video", "{small}", "--start", "500", "--end", "510"], "past the video's end"),
    (["--video", "{small}", "--start", "4", "--end", "2"], "start < end"),
    (["--video", "{small}", "--start", "-1", "--end", "2"], "start < end"),
    (["--hit", '{"video_id": "{small}", "start": 1, "end": 1e400}'], "both finite"),  # was cut back to the end
    (["--chapter", "{small}", "99"], "does not exist"),
    (["--hit", "not json"], "must be JSON"),
    (["--hit", '{"video_id": "x"}'], "video_id, start and end"),
    (["--hit", '{"video_id": null, "start": 1, "end": 2}'], "video_id, start and end"),
    (["--hit", '{"video_id": "{small}", "start": true, "end": 2}'], "video_id, start and end"),
    (["--hit", '[1, 2]'], "video_id, start and end"),
]


def test_bad_clips(two_videos: tuple[Clipindex, str, str], settings: Settings) -> None:
    """Each bad clip in turn on one archive (the archive's two ingests are what costs)."""
    svc, small, _large = two_videos
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    for args, message in BAD_CLIPS:
        reel = svc.reels.new("r").id
        result = runner.invoke(app, ["reel", "add", reel, *[a.replace("{small}", small) for a in args]], env=env)
        assert result.exit_code != 0 and message in result.stderr and "Traceback" not in result.stderr, args
        assert svc.reels.get(reel).clips == (), args


def test_a_sound_only_file_is_refused_when_its_clip_is_added(two_videos: tuple[Clipindex, str, str],
                                                              media_dir: Path, tmp_path: Path) -> None:
    """Before, the clip went in and the render failed later, naming the file by an upload's internal name."""
    svc, _small, _large = two_videos
    radio = tmp_path / "radio.wav"
    shutil.copy(media_dir / "speech.wav", radio)
    radio.with_suffix(".srt").write_text("1\n00:00:00,500 --> 00:00:02,500\nThe river rose.\n")
    [done] = list(svc.ingest(str(radio), IngestOptions()))
    reel = svc.reels.new("Radio").id
    with pytest.raises(InvalidInput, match="sound only"):
        svc.reels.add_range(reel, str(done.video_id), 0.5, 2.0)
    assert svc.reels.get(reel).clips == ()


def test_deleting_a_video_names_the_reels_that_lose_its_clips(two_videos: tuple[Clipindex, str, str],
                                                               settings: Settings, media_dir: Path,
                                                               tmp_path: Path) -> None:
    svc, small, _large = two_videos
    story = tmp_path / "story.mp4"
    ffmpeg("-i", str(media_dir / "report.mp4"), "-t", "3", "-c", "copy", str(story))  # another file, other content
    story.with_suffix(".srt").write_text("1\n00:00:00,500 --> 00:00:02,500\nThe river rose.\n")
    [done] = list(svc.ingest(str(story), IngestOptions()))
    week, other = svc.reels.new("Flood week"), svc.reels.new("Other")
    for _ in range(2):
        svc.reels.add_range(week.id, str(done.video_id), 0.5, 2.0)
    svc.reels.add_range(week.id, small, 0.0, 1.0)
    svc.reels.add_range(other.id, small, 0.0, 1.0)
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    refused = runner.invoke(app, ["delete", str(done.video_id)], env=env)  # a producer's reel is not emptied unasked
    assert refused.exit_code == 1 and "reels hold 2 clip(s)" in refused.stderr and "“Flood week” (2)" in refused.stderr
    assert len(svc.reels.get(week.id).clips) == 3 and svc.store.find_video(str(done.video_id)) is not None
    out = cli(settings, "delete", str(done.video_id), "--force")
    assert f"2 clips of it left reel {week.id} “Flood week”" in out and other.id not in out, out
    assert [c.video_id for c in svc.reels.get(week.id).clips] == [small]


def test_bad_renders_leave_nothing(two_videos: tuple[Clipindex, str, str], settings: Settings,
                                   media_dir: Path) -> None:
    svc, small, _large = two_videos
    out = settings.data_dir / "out"
    before = set(out.glob("*.mp4")) if out.exists() else set()  # other tests of the module render here
    empty = svc.reels.new("empty").id
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_OUTPUT_DIR": str(settings.data_dir / "out")}
    result = runner.invoke(app, ["reel", "render", empty, "-o", "x.mp4"], env=env)
    assert result.exit_code != 0 and "no clips" in result.stderr
    reel = svc.reels.new("r").id
    svc.reels.add_range(reel, small, 0.5, 2.0)
    result = runner.invoke(app, ["reel", "render", reel, "-o", "../../escape.mp4"], env=env)
    assert result.exit_code != 0 and "error:" in result.stderr
    assert not (settings.data_dir.parent / "escape.mp4").exists()
    audio = next(iter(svc.ingest(str(media_dir / "speech.wav"), IngestOptions()))).video_id
    sound = svc.reels.new("sound only").id
    # refused when added now; a clip of it stored before that check fails the render with a clear error
    svc.reels.saved.set_clips(sound, [Clip(str(audio), 0.5, 2.0, "speech", "range")])
    result = runner.invoke(app, ["reel", "render", sound, "-o", "y.mp4"], env=env)
    assert result.exit_code != 0 and "video stream" in result.stderr
    assert (set(out.glob("*.mp4")) if out.exists() else set()) == before


def test_http_reel_render_job_and_download(two_videos: tuple[Clipindex, str, str]) -> None:
    svc, small, _large = two_videos
    _key, secret = svc.keys.create("reels")
    auth = {"Authorization": f"Bearer {secret}"}
    with running(svc, workers=1) as url, httpx.Client(base_url=url, headers=auth, timeout=60) as c:
        reel = c.post("/v1/reels", json={"title": "web"}).json()
        later = c.post("/v1/reels", json={"title": "made after"}).json()
        r = c.post(f"/v1/reels/{reel['id']}/clips", json={"video": small, "start": 0.5, "end": 2.5})
        assert r.status_code == 201 and len(r.json()["clips"]) == 1
        listed = {x["id"]: x["updated_at"] for x in c.get("/v1/reels").json()}  # the page fills the one changed last
        assert listed[reel["id"]] > listed[later["id"]] >= later["updated_at"] > 0, listed
        job = c.post(f"/v1/reels/{reel['id']}/render", json={"fast": False}).json()
        state = wait_until(lambda: (j := c.get(f"/v1/jobs/{job['id']}").json())["state"] not in ("queued", "running")
                           and j, 120, "the render job to finish", interval=0.2)
        assert state["state"] == "done", state
        video = c.get(state["result"]["file"])
        assert video.status_code == 200 and len(video.content) > 1000
        assert c.get("/v1/renders/..%2Fclipindex.db").status_code == 404
        assert c.get("/v1/renders/" + "x" * 300 + ".mp4").status_code == 404, "a name too long for the disk: none"
        for name in ("%00", "a%00.mp4", "clip.mp4%00.txt"):  # a NUL byte: no file system holds the name
            r = c.get("/v1/renders/" + name)
            assert r.status_code == 404 and "error" in r.json(), r.text
        assert c.get(f"/v1/reels/{reel['id']}/export", params={"format": "edl"}).text.startswith("TITLE:")
        ttml = c.get(f"/v1/reels/{reel['id']}/export", params={"format": "ttml"})
        assert ttml.headers["content-type"].startswith("application/ttml+xml") and "<tt " in ttml.text
        assert c.get(f"/v1/reels/{reel['id']}/export", params={"format": "docx"}).status_code == 422


def test_an_output_never_overwrites_the_archive_or_a_videos_media(settings: Settings) -> None:
    """`reel export -o` and `transcript -o` wrote wherever they were pointed, exit code 0: a mistyped path turned
    the store into a caption file (every command then failed on a damaged store) and a source video into an EDL."""
    svc = Clipindex(settings)
    first, second = stored_video(svc, "file:first"), stored_video(svc, "file:second")
    reel = cli(settings, "reel", "new", "Evening").split()[0]
    cli(settings, "reel", "add", reel, "--video", first, "--start", "1", "--end", "5")
    store, media = settings.data_dir / "clipindex.db", Path(svc.video(second).media_path or "")
    kept = store.read_bytes()[:100], media.read_bytes()
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_OUTPUT_DIR": str(media.parent)}
    for args in (["reel", "export", reel, "--format", "srt", "-o", str(store)],
                 ["transcript", first, "--format", "srt", "-o", str(store) + "-wal"],
                 ["reel", "export", reel, "--format", "edl", "-o", str(media)],
                 ["transcript", first, "-o", str(settings.data_dir / "index" / "notes.txt")],
                 ["reel", "render", reel, "--fast", "-o", str(media)]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 2, (args, result.stdout)
        assert "write the output elsewhere" in result.stderr, result.stderr
    assert (store.read_bytes()[:100], media.read_bytes()) == kept
    assert {first, second} <= {v.id for v in svc.videos()}, "the store still reads"
    mine = settings.data_dir / "out"  # a folder of the user's own beside the archive's is theirs to write
    mine.mkdir(exist_ok=True)
    cli(settings, "reel", "export", reel, "--format", "edl", "-o", str(mine / "evening.edl"))
    assert "FCM:" in (mine / "evening.edl").read_text(encoding="utf-8")


def test_a_moment_prints_from_the_second_its_link_opens_at(settings: Settings) -> None:
    """A search hit at 19.6-20.5 s printed "0:20-0:20" beside a link that opens the video at 0:19."""
    svc = Clipindex(settings)
    video = stored_video(svc, "file:span")
    reel = cli(settings, "reel", "new", "Span").split()[0]
    shown = cli(settings, "reel", "add", reel, "--video", video, "--start", "19.6", "--end", "20.5", "--snap", "none")
    assert f"{video}  0:19-0:21" in shown, shown


def test_a_reels_duration_is_kept_to_the_millisecond() -> None:
    """A hundred clips of 1.2 s made a reel of 120.0000000000002 s in the API."""
    from indexer.models import Reel

    clips = tuple(Clip("file:x", 10.0 + 2 * n, 11.2 + 2 * n) for n in range(100))
    assert Reel("reel:x", "Long", clips).duration == 120.0
