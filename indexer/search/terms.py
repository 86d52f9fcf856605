"""What a search asks of a full-text backend: the query tree (`Term`, `AnyOf`, `AllOf`, `BestOf`, `CountOf`) under a
`Filter` (made from a search's options by `build_filter`), and the `Candidates` it answers with (`Found` passages).
Backend-neutral: Whoosh (index.py, whoosh_query.py) and tantivy (tantivy_index.py) each translate these;
indexer/search/query.py builds them and does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeAlias

from indexer.errors import InvalidInput
from indexer.search.passages import channel_key


@dataclass(frozen=True)
class Term:
    """One pre-analysed token in one of the token fields (`stem`, `keys`, `pairs`)."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """Passages matching any part, scored by the sum of the parts that match."""

    parts: tuple[Q, ...]


@dataclass(frozen=True)
class AllOf:
    """Passages matching every part."""

    parts: tuple[Q, ...]


@dataclass(frozen=True)
class BestOf:
    """Passages matching any part, scored by the best part (one word's stems and key: one word counts once)."""

    parts: tuple[Q, ...]


@dataclass(frozen=True)
class CountOf:
    """Passages matching any part, scored by how many parts match (each counts one, however common), then by the
    parts' summed score (a thousandth of it: below one match as long as that sum stays under 1,000)."""

    parts: tuple[Q, ...]


Q: TypeAlias = Term | AnyOf | AllOf | BestOf | CountOf


@dataclass(frozen=True)
class Filter:
    """Passages of one video, channel (case-folded), language, and published within [after, before] (ISO dates)."""

    video: str | None = None
    channel: str | None = None
    language: str | None = None
    after: str | None = None
    before: str | None = None

    @property
    def dated(self) -> bool:
        return bool(self.after or self.before)


def build_filter(video: str | None, channel: str | None, language: str | None, after: str | None,
                 before: str | None) -> Filter | None:
    """The filter a search's options ask for (None for none); InvalidInput for a date not written YYYY-MM-DD, or an
    `after` later than `before`."""
    lo, hi = _iso(after, "after"), _iso(before, "before")
    if lo and hi and lo > hi:
        raise InvalidInput(f"after ({lo}) is later than before ({hi}): no date is both")
    flt = Filter(video or None, channel_key(channel) if channel else None, language or None, lo, hi)
    return flt if flt != Filter() else None


def _iso(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        day = None
    if day != value.strip():  # Python also reads "20260201" and "2026-W09-1"; a video's date is stored as YYYY-MM-DD
        raise InvalidInput(f"{name} must be a date as YYYY-MM-DD (got {value[:40]!r})")
    return day


class Found:
    """A candidate passage: a key unique within one reader, its full-text score, its stored fields on demand
    (reading them is most of a hit's cost), and its token keys on demand (a backend that can read them without
    decoding the whole passage passes `load_keys`)."""

    __slots__ = ("key", "score", "_load", "_load_keys")

    def __init__(self, key: Hashable, score: float, load: Callable[[], dict[str, Any]],
                 load_keys: Callable[[], str | None] | None = None) -> None:
        self.key, self.score, self._load, self._load_keys = key, score, load, load_keys

    def fields(self) -> dict[str, Any]:
        """{"video_id": str, "language": str, "doc": the stored passage (passages.documents)}"""
        return self._load()

    def keys(self) -> list[str]:
        """The passage's token keys in order (the stored passage's "keys"; `load_keys` may give None for a passage
        it cannot read them for, which then reads them from the stored passage)."""
        text = self._load_keys() if self._load_keys else None
        return (str(self.fields()["doc"]["keys"]) if text is None else text).split()


class Candidates(Protocol):
    """One backend's reader on one commit, with a filter applied: all a search asks of the full-text engine."""

    # what a deeper candidate list and the words stage cost differs by backend, so they set:
    quote_pool: int  # how many candidates a quote's full-text query reads
    quote_close_match: float  # an alignment from the pairs stage this good skips the words stage (1.0: exact only)
    quote_counts: bool  # the words stage as a `CountOf` every quote word and pair (else an `AnyOf` of the rarest)

    def doc_frequency(self, field: str, term: str) -> int: ...

    def top(self, query: Q, limit: int) -> list[Found]:
        """The best `limit` passages, best first."""
        ...

    def estimate(self, query: Q) -> int:
        """About how many passages match (for a result's total)."""
        ...

    def doc_count(self) -> int: ...
