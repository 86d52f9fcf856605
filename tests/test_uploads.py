"""Uploaded files leave nothing behind: a failed or duplicate upload is removed; errors use the user's file name."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.routes import videos as videos_route
from indexer.config import Settings
from indexer.errors import InvalidInput
from indexer.ingest import uploads
from indexer.models import Video
from indexer.service import Clipindex, IngestOptions
from indexer.store.files import PARTIAL_STALE_S, partial_path, sweep_partials
from indexer.store.schema import jobs
from tests.apiserver import running
from tests.conftest import FIXTURES
from tests.waiting import wait_until


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[httpx.Client, Clipindex]]:
    service = Clipindex(settings)
    _key, secret = service.keys.create("tests")
    with running(service, workers=1) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        yield client, service


def _upload(client: httpx.Client, name: str, data: bytes, **form: str) -> dict:
    r = client.post("/v1/videos", files={"file": (name, data, "application/octet-stream")}, data=form)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]

    def finished() -> dict | None:
        job: dict = client.get(f"/v1/jobs/{job_id}").json()
        return job if job["state"] in ("done", "failed", "cancelled") else None

    return wait_until(finished, 60, f"upload job {job_id}", interval=0.1)


def _uploads(service: Clipindex) -> list[Path]:
    folder = service.settings.data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.slow
def test_a_failed_upload_is_removed_and_named_as_the_user_named_it(server: tuple[httpx.Client, Clipindex]) -> None:
    client, service = server
    job = _upload(client, "Council meeting.mp4", b"these are minutes, not a video\n" * 50)
    assert job["state"] == "failed" and "Council meeting.mp4" in job["error"], job
    assert not any(p.name in job["error"] for p in _uploads(service))
    assert _uploads(service) == [] and service.videos() == []


@pytest.mark.slow
def test_a_duplicate_upload_keeps_one_copy(server: tuple[httpx.Client, Clipindex]) -> None:
    client, service = server
    data = (FIXTURES / "captions_ru.vtt").read_bytes()
    first = _upload(client, "budget.vtt", data, language="ru")
    again = _upload(client, "budget again.vtt", data, language="ru")
    assert first["state"] == again["state"] == "done", (first, again)
    assert [v["status"] for v in first["result"]["videos"]] == ["ingested"]
    assert [(v["status"], v["source"]) for v in again["result"]["videos"]] == [("skipped", "budget again.vtt")]
    assert len(_uploads(service)) == 1 and len(service.videos()) == 1
    assert service.search("Каменке").hits, "the first upload is still what the video reads"


def test_an_upload_whose_workers_all_died_is_cleaned_up(settings: Settings) -> None:
    service = Clipindex(settings)
    upload = service.upload_path("report.mp4")
    upload.write_bytes(b"half of a video")
    job = service.submit_upload(upload, "report.mp4", IngestOptions())
    service.store.put_video(Video(id="file:half", source=str(upload), title="report"))  # what a dead worker left
    with service.store.tx() as conn:  # every attempt's worker died: the reaper fails the job
        conn.execute(jobs.update().where(jobs.c.id == job.id).values(
            state="running", attempts=3, lease_owner="worker-gone", lease_expires=time.time() - 1))
    service.jobs.reap()
    assert service.jobs.get(job.id).state == "failed"
    assert service.sweep_failed_uploads() == 1
    assert not upload.exists() and service.videos() == []
    assert service.sweep_failed_uploads() == 0, "nothing left to do the second time"


def test_an_upload_is_removed_only_from_the_uploads_folder_and_only_when_no_video_plays_it(
        settings: Settings, tmp_path: Path) -> None:
    service = Clipindex(settings)
    played, relative, spare = (uploads.new_path(settings.data_dir, name) for name in ("A.MP4", "c.webm", "b.srt"))
    assert played.parent == relative.parent == spare.parent == settings.data_dir / "uploads"
    assert [p.suffix for p in (played, relative, spare)] == [".mp4", ".webm", ".srt"] and played.stem != spare.stem
    outside = tmp_path / "elsewhere.mp4"
    for path in (played, relative, spare, outside):
        path.write_bytes(b"media")
    service.store.put_video(Video(id="file:played", source=str(played), title="played", media_path=str(played)))
    service.store.put_video(Video(id="file:relative", source="c.webm", title="relative",
                                  media_path=f"uploads/{relative.name}"))  # relative, as the fetch step stores one
    for path in (played, relative, spare, outside):
        uploads.drop(settings.data_dir, service.store, path)
    assert played.exists() and relative.exists(), "a stored video plays from them"
    assert not spare.exists()
    assert outside.exists(), "only the uploads folder is ever emptied"
    with pytest.raises(InvalidInput, match="unsupported file type '.exe'"):
        uploads.new_path(settings.data_dir, "../../notes.exe")


def test_a_partial_upload_goes_when_its_writer_is_gone_and_only_then(tmp_path: Path) -> None:
    live = partial_path(tmp_path / "a.mp4")  # this process's: a write under way
    live.write_bytes(b"half")
    dead = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from indexer.store.files "
                           "import partial_path; p = partial_path(Path(sys.argv[1])); p.write_bytes(b'half'); "
                           "print(p)", str(tmp_path / "b.mp4")], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    killed = Path(dead.stdout.strip())  # its writer has exited
    unnamed, old = tmp_path / "c.mp4.part", tmp_path / "d.mp4.part"  # no writer named (another host's, or older)
    unnamed.write_bytes(b"half")
    old.write_bytes(b"half")
    os.utime(old, (time.time() - PARTIAL_STALE_S - 60,) * 2)
    assert killed.is_file() and killed.parent == tmp_path
    assert sorted(sweep_partials(tmp_path)) == sorted([killed, old])
    assert live.is_file() and unnamed.is_file() and not killed.exists() and not old.exists()
    assert sweep_partials(tmp_path / "none") == []


@pytest.mark.slow
def test_a_ttml_upload_is_ingested(server: tuple[httpx.Client, Clipindex]) -> None:
    client, service = server
    ttml = (b'<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="en"><body><div>'
            b'<p begin="1s" end="4s">The council closed the old bridge.</p></div></body></tt>')
    job = _upload(client, "council.ttml", ttml)
    assert job["state"] == "done", job
    [video] = service.videos()
    assert service.store.get_transcript(video.id).language == "en", "the xml:lang it names"  # type: ignore[union-attr]
    assert [p.suffix for p in _uploads(service)] == [".ttml"] and service.search("bridge").hits


def test_an_upload_onto_a_full_disk_is_a_clear_507_and_leaves_nothing(server: tuple[httpx.Client, Clipindex],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk filling while an upload was written answered 500 "internal error": the newsroom's uploader could
    not tell a full disk from a bug, nor that trying again later would do."""
    client, service = server

    def full(*_args: object, **_kwargs: object) -> None:  # the disk fills while the upload is written
        raise OSError(errno.ENOSPC, "No space left on device", str(service.settings.data_dir / "uploads" / "x"))

    monkeypatch.setattr(videos_route.shutil, "copyfileobj", full)
    r = client.post("/v1/videos", files={"file": ("flood.mp4", b"\0" * 4096, "video/mp4")})
    assert r.status_code == 507, r.text
    assert r.json() == {"error": "the server's disk is full: nothing was kept; try again once space has been freed"}
    assert _uploads(service) == [] and service.jobs.list() == []
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200  # and the server goes on
