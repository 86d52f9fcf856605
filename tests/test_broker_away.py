"""An ingest refused because the broker (Redis) cannot be reached leaves the archive as it was: no empty
"incomplete" video, a forced re-ingest's finished steps kept, an upload's file kept for its job's next attempt. No
Redis is needed: the broker's address is a port nothing listens on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("dramatiq", reason="the multi-machine extra: pip install -e '.[scale]' (or run .ci/setup)")

from redis.exceptions import ConnectionError as BrokerAway  # noqa: E402 - after the skip above

from api.cli import app  # noqa: E402
from indexer.ingest import uploads
from indexer.ingest.types import STEPS, IngestJob, IngestOptions
from indexer.service import Clipindex
from tests.conftest import settings_for
from tests.servers import free_port

CAPTIONS = ("1\n00:00:01,000 --> 00:00:03,000\nThe bridge stays closed.\n\n"
            "2\n00:00:04,000 --> 00:00:06,000\nIt opens in May.\n")


def _away() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def test_a_refused_ingest_leaves_no_video_and_says_why(tmp_path: Path) -> None:
    """It left an empty video, "incomplete", that only a second ingest finished."""
    captions = tmp_path / "report.srt"
    captions.write_text(CAPTIONS)
    env = {"CLIPINDEX_DATA_DIR": str(tmp_path / "data"), "CLIPINDEX_BROKER_URL": _away()}
    result = CliRunner().invoke(app, ["ingest", str(captions)], env=env)
    assert result.exit_code == 1 and "the broker cannot be reached" in result.stderr, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert Clipindex(settings_for(tmp_path)).videos() == []
    assert captions.read_text() == CAPTIONS


def test_a_refused_forced_ingest_keeps_the_video_as_it_was(tmp_path: Path) -> None:
    """`--force` reset the steps of a ready video, then the broker refused the first: its finished steps were gone,
    and the next plain ingest ran the whole chain again instead of skipping it."""
    captions = tmp_path / "report.srt"
    captions.write_text(CAPTIONS)
    [done] = Clipindex(settings_for(tmp_path)).ingest(str(captions), IngestOptions(language="en"))  # one machine
    assert done.status == "ingested" and done.video_id
    away = Clipindex(settings_for(tmp_path, broker_url=_away()))
    with pytest.raises(BrokerAway):  # as it is: the CLI says it in one line (test above)
        list(away.ingest(str(captions), IngestOptions(language="en", force=True)))
    here = Clipindex(settings_for(tmp_path))
    [video] = here.videos()
    assert (video.id, video.state, video.transcript) == (done.video_id, "ready", "captions:file")
    assert {step: run.status for step, run in here.store.step_status(done.video_id).items()} == dict.fromkeys(
        STEPS, "done")


def test_an_upload_refused_by_the_broker_is_kept_for_its_jobs_next_attempt(tmp_path: Path) -> None:
    """The worker's run of an upload's job, the broker gone when its chain sends the first step: the job is retried
    (an error that is not the ingest's own), and the uploaded file must still be there for it."""
    settings = settings_for(tmp_path, broker_url=_away())
    upload = uploads.new_path(settings.data_dir, "report.srt")
    upload.write_text(CAPTIONS)
    service = Clipindex(settings)
    with pytest.raises(BrokerAway):
        service.run_ingest_job(IngestJob(str(upload), IngestOptions(language="en"), untrusted=True,
                                         upload_name="report.srt", token="t1"))
    assert upload.read_text() == CAPTIONS
    assert service.videos() == []
