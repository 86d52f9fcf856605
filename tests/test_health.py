"""The probes a supervisor polls: /healthz answers while the process lives, /readyz says whether it can do its work
and what fails when it cannot, with no key and nothing more than what failed."""

from __future__ import annotations

import errno
from dataclasses import replace
from typing import Any

import httpx
import pytest

from indexer.config import Settings
from indexer.search import base
from indexer.service import Clipindex
from tests.apiserver import running
from tests.conftest import stored_video
from tests.waiting import wait_until


def test_the_probes_answer_without_a_key_and_name_what_fails(settings: Settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """There was no probe: a supervisor could only fetch the page, which answered 200 while the index could not be
    written and every new video stayed unsearchable."""
    monkeypatch.setattr(base, "COMMIT_DELAY_S", 0.1)  # the background commit and its retries come quickly
    svc = Clipindex(replace(settings, read_auth=True))
    video_id = stored_video(svc)
    svc.index.index_video(video_id)
    backend = svc.index.backend
    elsewhere = type(backend)(backend.path)  # another process's view of the same index
    with running(svc, workers=1) as url, httpx.Client(base_url=url) as client:
        assert client.get("/v1/videos").status_code == 401, "reads need a key here"
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"store": "ok", "index": "ok", "workers": "ok"}
        assert ready.json()["read_only"] is False and ready.json()["oldest_queued_s"] is None

        def full_disk(*_args: Any) -> None:  # the disk fills while the batch's passages are written
            raise OSError(errno.ENOSPC, "No space left on device")

        def probe_says(status: int) -> httpx.Response | None:
            answer = client.get("/readyz")
            return answer if answer.status_code == status else None

        with monkeypatch.context() as disk:
            disk.setattr(base, "commit_batch", full_disk)
            svc.index.forget(video_id)
            assert elsewhere.passage_count(video_id) == 0
            svc.index.index_video(video_id, batched=True)  # the background flusher commits it, and fails
            failing = wait_until(lambda: probe_says(503), 30, "the probe to report the failed commit")
            assert failing.json()["status"] == "not ready"
            assert failing.json()["checks"] == {
                "store": "ok", "workers": "ok",
                "index": "its last commit failed (No space left on device): new videos are not searchable yet"}
            assert str(settings.data_dir) not in failing.text, "a probe names no path"
            assert elsewhere.passage_count(video_id) == 0
        # space again: the flusher's next attempt commits the batch it kept, and the probe is ready again
        wait_until(lambda: probe_says(200), 30, "the probe to be ready after a good commit")
        assert elsewhere.passage_count(video_id) > 0
