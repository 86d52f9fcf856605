"""The probes a supervisor polls: /healthz answers while the process lives, /readyz says whether it can do its work
and what fails when it cannot, with no key and nothing more than what failed."""

from __future__ import annotations

from dataclasses import replace

import httpx

from indexer.config import Settings
from indexer.service import Clipindex
from tests.apiserver import running
from tests.conftest import stored_video


def test_the_probes_answer_without_a_key_and_name_what_fails(settings: Settings) -> None:
    """There was no probe: a supervisor could only fetch the page, which answered 200 while the index could not be
    written and every new video stayed unsearchable."""
    svc = Clipindex(replace(settings, read_auth=True))
    svc.index.index_video(stored_video(svc))
    with running(svc, workers=1) as url, httpx.Client(base_url=url) as client:
        assert client.get("/v1/videos").status_code == 401, "reads need a key here"
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"store": "ok", "index": "ok", "workers": "ok"}
        assert ready.json()["read_only"] is False and ready.json()["oldest_queued_s"] is None
        backend = svc.index.backend
        backend.failing = "No space left on device"  # what the index's flusher records when a commit fails
        try:
            failing = client.get("/readyz")
        finally:
            backend.failing = None
        assert failing.status_code == 503 and failing.json()["status"] == "not ready"
        assert failing.json()["checks"]["index"] == ("its last commit failed (No space left on device): new videos "
                                                     "are not searchable yet")
        assert str(settings.data_dir) not in failing.text, "a probe names no path"
        assert client.get("/readyz").status_code == 200
