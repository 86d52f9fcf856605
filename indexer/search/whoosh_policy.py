"""Whoosh's merge policy: which segments one merge joins, and when a commit merges itself (whoosh_merge does the
merging, in a child process outside the write lock).

What is merged (`pick`): MERGE_AT segments of one size tier, the smallest tier that has as many. A segment's tier
is how many times MERGE_AT its live passages are of TIER_BASE (tier 0 below TIER_BASE * MERGE_AT), so a merge joins
segments of about one size and each passage is rewritten about once per tier (log5 of the index's size over 500:
3-4 times up to a million passages). The policy before ("the 5 smallest once there are 10") merged the newest small
segments into the same growing one every few commits, until it outgrew the fifth largest: a simulation of 400-
passage commits counts 16 passages rewritten per passage added between 100,000 and 200,000 passages (100 near a
million), against 3.5 (3.2) for the tiers, with as many segments on average (7-9). Past MAX_SEGMENTS segments the
MERGE_AT smallest are merged whatever their tiers, which bounds the segments a search reads.

Two lanes, so a large merge never holds up the small ones. A merge of five large segments takes minutes (at a
million passages, after a bulk load left twenty of 50,000: 250,000 passages a merge, about six minutes here). With
one merger per index, the small segments that commits add meanwhile waited behind it, reached HARD_LIMIT, and the
commits merged them themselves (the slowest thousand passages of an index step at 87/s against 368/s overall). So
each index has a merger per lane (whoosh_merge): the SMALL lane merges only segments below LANE_TIER (under 12,500
live passages), the LARGE lane only the others, so the lanes never pick the same segment. Past MAX_SEGMENTS the
small lane merges up to five of its own while it has two or more, else the large lane its five smallest: the
segments stay bounded as before, and no merge mixes the lanes' segments.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

MERGE_AT = 5  # segments one merge joins: of one size tier, a tier being MERGE_AT times the one below
TIER_BASE = 500  # passages: tier 0 holds the segments below TIER_BASE * MERGE_AT
MAX_SEGMENTS = 20  # past this many the MERGE_AT smallest are merged, whatever their tiers
HARD_LIMIT = 30  # segments past which a commit merges itself
SMALL, LARGE = "small", "large"
LANES = (SMALL, LARGE)
LANE_TIER = 2  # the SMALL lane merges segments of the tiers below this, the LARGE lane the rest


def tier(passages: int) -> int:
    """A segment's size tier: 0 below TIER_BASE * MERGE_AT live passages, 1 below MERGE_AT times that, ..."""
    level, bound = 0, TIER_BASE * MERGE_AT
    while passages >= bound:
        level, bound = level + 1, bound * MERGE_AT
    return level


def pick(segments: list[Any], lane: str | None = None) -> list[Any]:
    """The segments one merge joins: the MERGE_AT smallest of the smallest tier that has MERGE_AT segments; else,
    with MAX_SEGMENTS segments or more, the MERGE_AT smallest; else none. `lane` (SMALL, LARGE): only the merges
    that lane makes (the module docstring); None: the small lane's merge, else the large one's."""
    if lane is None:
        return pick(segments, SMALL) or pick(segments, LARGE)
    tiers: dict[int, list[Any]] = {}
    for seg in segments:
        tiers.setdefault(tier(seg.doc_count()), []).append(seg)
    small = [seg for level in sorted(tiers) if level < LANE_TIER for seg in tiers[level]]
    large = [seg for level in sorted(tiers) if level >= LANE_TIER for seg in tiers[level]]
    for level in sorted(tiers):
        if (level < LANE_TIER) == (lane == SMALL) and len(tiers[level]) >= MERGE_AT:
            return smallest(tiers[level])
    if len(segments) < MAX_SEGMENTS:
        return []
    if lane == SMALL:
        return smallest(small) if len(small) >= 2 else []
    return smallest(large) if len(small) < 2 and len(large) >= 2 else []


def smallest(segments: list[Any]) -> list[Any]:
    """The MERGE_AT segments with the fewest live passages."""
    return sorted(segments, key=lambda seg: seg.doc_count())[:MERGE_AT]


def lasting(segments: list[Any], chosen: list[Any]) -> bool:
    """Whether the segment that merging `chosen` makes stays in the index for now: `pick` would not merge it again
    at once. Such a segment gets its decoded postings written during the merge; one merged again at once is left to
    the decoder, which runs after the last merge (gathering its lists would cost as much as decoding it)."""
    size = sum(seg.doc_count() for seg in chosen)
    made = SimpleNamespace(doc_count=lambda: size)
    return all(seg is not made for seg in pick([seg for seg in segments if seg not in chosen] + [made]))


def in_merge_order(segments: list[Any]) -> list[Any]:
    """The order a merge writes its segments' documents in: the largest segment without deleted documents first,
    then the others as given. The first one's documents keep their numbers, so each of its terms that no other
    segment has is copied as it is (`Terms.copy_term`): most of a merge's terms when one segment is much larger than
    the rest (past MAX_SEGMENTS)."""
    whole = [seg for seg in segments if not seg.has_deletions()]
    if not whole:
        return segments
    first = max(whole, key=lambda seg: seg.doc_count_all())
    return [first] + [seg for seg in segments if seg is not first]
