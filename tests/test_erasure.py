"""Deleting a video as an erasure request needs it: nothing made of it stays behind where the archive keeps things.

A data-protection officer's audit deleted a video and found, still on disk and still served: the uploaded original,
the cached stills, the rendered reels that held its clips, and the job records that named it (its title, its
clips' words); the article given with it was left linked to nothing, without a word. Each is checked here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.worker import Worker
from indexer.errors import Conflict
from indexer.ingest import uploads
from indexer.ingest.types import IngestJob, IngestOptions
from indexer.service import Clipindex
from indexer.store.files import frames_dir
from tests.conftest import FIXTURES, settings_for, stored_video

pytestmark = pytest.mark.slow  # a render and an ingest


def test_a_deleted_video_takes_its_stills_renders_job_records_and_says_what_it_leaves(tmp_path: Path) -> None:
    svc = Clipindex(settings_for(tmp_path))
    video = stored_video(svc)
    svc.frame(video, 3.0)
    assert frames_dir(svc.settings.data_dir, video).is_dir()
    reel = svc.reels.new("Desk")
    svc.reels.add_range(reel.id, video, 2.0, 4.0, snap_to="none")
    job = svc.reels.submit_render(reel.id)
    Worker(svc).run_once()
    rendered = [svc.reels.render_dir() / Path(f).name for f in svc.jobs.get(job.id).result["files"]]
    assert rendered and all(f.is_file() for f in rendered)
    article = svc.articles.add(str(FIXTURES / "articles" / "bridge.txt"), [video])

    with pytest.raises(Conflict, match="reels hold 1 clip"):
        svc.delete_video(video)
    gone = svc.delete_video(video, force=True)
    assert [r.reel for r in gone.reels] == [reel.id]
    assert sorted(gone.renders) == sorted(f.name for f in rendered) and not any(f.exists() for f in rendered)
    assert gone.articles == (article.id,)  # kept (the newsroom's text), and named
    assert not frames_dir(svc.settings.data_dir, video).exists()
    assert [j.id for j in svc.jobs.list()] == []  # the render job's record held the clip and its label


def test_a_deleted_upload_takes_the_uploaded_file_and_its_ingest_record(tmp_path: Path) -> None:
    svc = Clipindex(settings_for(tmp_path))
    upload = uploads.new_path(svc.settings.data_dir, "hearing.mp4")
    shutil.copy(FIXTURES / "report_en.mp4", upload)
    shutil.copy(FIXTURES / "report_en.json", upload.with_suffix(".json"))  # its transcript, as a sidecar
    job = svc.jobs.submit("ingest", IngestJob(str(upload), IngestOptions(), upload_name="hearing.mp4", token="t"))
    Worker(svc).run_once()
    [done] = svc.jobs.get(job.id).result["videos"]
    assert done["status"] == "ingested" and upload.is_file()
    svc.delete_video(done["video_id"])
    assert not upload.exists()  # the source's original, the archive's own copy: it stayed, named by nothing
    assert svc.jobs.list() == []
