"""The one way a user names a stored thing: its exact id, or a unique prefix of at least four characters.

Videos, articles and reels all resolve references through `pick_one`, so the messages read the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer import deeplinks
from indexer.errors import InvalidInput, NotFound
from indexer.store.db import Store
from media.sources import is_url

MIN_PREFIX = 4


def pick_one(ref: str, ids: Iterable[str], *, what: str, listing: str, prefix: str = "",
             also: Iterable[str] = ()) -> str:
    """The id among `ids` that `ref` names: itself, or a unique prefix of the id or of the id after `prefix`
    ("yt:", "art:", "reel:"). `also`: ids that match `ref` some other way (a title, a URL)."""
    known = list(ids)
    if ref in known:
        return ref
    matches = [i for i in known if _starts(i, ref, prefix)] if len(ref) >= MIN_PREFIX else []
    found = list(dict.fromkeys([*matches, *also]))
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidInput(f"{ref!r} matches {len(found)} {what}s: give more of the id")
    if ref.endswith(":") and any(i.startswith(ref) for i in known):  # "yt:" read "no video 'yt:'", as if none were
        raise InvalidInput(f"{ref!r} is only the kind of an id, which many {what}s share: give more of the id")
    raise NotFound(f"no {what} {ref!r} (see `{listing}`)")


def _starts(candidate: str, ref: str, prefix: str) -> bool:
    """Whether `ref` begins `candidate` past its kind ("file:", "art:"): "art:" or "file" alone name no one thing
    (an API client that built a URL from an empty id got the only article back)."""
    tail = candidate.split(":", 1)[-1] if not prefix else candidate[len(prefix):] if candidate.startswith(prefix) \
        else candidate
    return (candidate.startswith(ref) and len(ref) > candidate.find(":") + 1) or tail.startswith(ref)


def resolve_video(store: Store, ref: str) -> str:
    """A video's id from its exact id, a YouTube id or URL, or a unique prefix of an id."""
    ref = ref.strip()
    if store.find_video(ref):
        return ref
    yt = deeplinks.youtube_id(ref) if is_url(ref) else ref
    if yt and store.find_video(f"yt:{yt}"):
        return f"yt:{yt}"
    return pick_one(ref, store.video_ids(), what="video", listing="clipindex videos")
