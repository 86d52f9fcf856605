"""Result-list thumbnails (indexer/frames.py): many requests at once, as a result page makes them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from indexer.frames import frame_at
from tests.conftest import FIXTURES

VIDEO = FIXTURES / "report_en.mp4"


def test_requests_for_one_moment_at_once_all_get_the_one_cached_frame(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda _: frame_at(tmp_path, "file:abc", VIDEO, 3.2, 20.0), range(8)))
    assert len(set(paths)) == 1 and paths[0].read_bytes()[:2] == b"\xff\xd8"
    left = sorted(p.name for p in (tmp_path / "frames").rglob("*") if p.is_file())
    assert left == [paths[0].name]  # one frame, no partial files left behind


@pytest.mark.slow
def test_a_page_of_moments_at_once_each_gets_its_own_frame(tmp_path: Path) -> None:
    moments = [0.5 + 1.5 * i for i in range(10)]
    with ThreadPoolExecutor(10) as pool:
        paths = list(pool.map(lambda t: frame_at(tmp_path, "file:abc", VIDEO, t, 20.0), moments))
    assert len(set(paths)) == len(moments)
    assert all(p.read_bytes()[:2] == b"\xff\xd8" for p in paths)
    # a moment past the end is clamped into the video, not an error
    assert frame_at(tmp_path, "file:abc", VIDEO, 999.0, 20.0).read_bytes()[:2] == b"\xff\xd8"
