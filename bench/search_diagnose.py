"""Why a quote was not found at rank 1 (`bench/search_scale.py --diagnose`): stage by stage, as query.quote_search
runs it, where the true passage was.

For each missed quote: the terms each full-text stage asked for (the rarest keys and word pairs, with their
document frequencies, and which of them the true passage holds), how many candidates each stage returned and the true
passage's rank among them (or, when it was not among them, its rank in a deeper list of 3,000), whether the words
stage ran, the true passage's place in the pool ranked by word order, and its alignment score against the winner's.
A winner whose words are as close to the quote as the words said there (word edit distance) is a tie the corpus
makes (recombined sentences repeat most of their words), not a fault of the method.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from indexer.search.base import PassageIndex
from indexer.search.parsing import query_variants
from indexer.search.query import QUOTE_ALIGN, _order_score, _quote_hit, _quote_queries
from indexer.search.terms import AnyOf, CountOf, Found, Term
from indexer.text.normalize import tokenize_text

DEEP = 3000


class Missed(Protocol):
    kind: str
    text: str
    video_id: str
    start: float
    said: str


def _keys(text: str) -> list[str]:
    return [t.key for t in tokenize_text(text)]


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Word-level edit distance where two neighbouring words said in the other order count as one edit (optimal
    string alignment): a swapped quote is one edit from the words said, as the aligner treats it."""
    d = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def _is_truth(fields: dict[str, Any], q: Missed) -> bool:
    doc = fields["doc"]
    return bool(fields["video_id"] == q.video_id and doc["start"] - 0.01 <= q.start <= doc["end"])


def _rank(cands: Sequence[Found], q: Missed) -> int | None:
    return next((i for i, c in enumerate(cands) if _is_truth(c.fields(), q)), None)


def diagnose_one(ix: PassageIndex, q: Missed, limit: int = 10) -> tuple[str, list[str]]:
    """(the reason's class, lines describing the search), following query.quote_search step by step."""
    found = ix._candidates(None)
    variants = query_variants(q.text, None)
    quote_keys = {tuple(t.key for t in toks) for toks in variants.values() if toks}
    full = max(2 * len(k) - 1 for k in quote_keys)
    want = min(200, max(QUOTE_ALIGN, 2 * limit))
    out = [f"- {q.kind}: {q.text!r}", f"  said: {q.said!r}"]
    pool: list[tuple[int, Found]] = []
    seen: set[Any] = set()
    truth: Found | None = None
    stopped = False
    for n, (stage, candidates) in enumerate(_quote_queries(found, variants)):
        if stopped:
            out.append(f"  stage {n}: not run (a candidate from the pairs aligned >= {found.quote_close_match})")
            break
        cands = found.top(stage, max(candidates, want))
        rank = _rank(cands, q)
        if rank is None:
            deep = found.top(stage, DEEP)
            deep_rank = _rank(deep, q)
            where = (f"not among the first {DEEP}" if deep_rank is None
                     else f"not among them (full-text rank {deep_rank})")
            truth = truth or (deep[deep_rank] if deep_rank is not None else None)
        else:
            where, truth = f"true passage at full-text rank {rank}", truth or cands[rank]
        held = set(truth.keys()) if truth else set()
        if truth:
            tk = truth.keys()
            held |= {f"{x}_{y}" for x, y in zip(tk, tk[1:])}
        counted = " (counted: passages ranked by how many they hold)" if isinstance(stage, CountOf) else ""
        terms = [p for p in stage.parts if isinstance(p, Term)] if isinstance(stage, (AnyOf, CountOf)) else []
        desc = ", ".join(f"{t.field}:{t.text}({found.doc_frequency(t.field, t.text)}"
                         f"{'' if not truth else ' in' if t.text in held else ' NOT in'})" for t in terms)
        out.append(f"  stage {n}: {len(cands)} candidates, {where}; terms{counted} {desc}")
        for h in cands:
            if h.key not in seen:
                seen.add(h.key)
                pool.append((_order_score(quote_keys, h.keys()), h))
        pool.sort(key=lambda p: -p[0])
        close = [a.score for _, c in pool[:want] if (a := _quote_hit(q.text, c.fields()))]
        stopped = max(close, default=0.0) >= found.quote_close_match
    pool.sort(key=lambda p: -p[0])
    at = next((i for i, (_, h) in enumerate(pool) if _is_truth(h.fields(), q)), None)
    if at is not None:
        out.append(f"  true passage in the pool of {len(pool)} at order rank {at} (order score {pool[at][0]}; the "
                   f"best {pool[0][0]}, of {full} possible; the first {want} are aligned)")
    r = ix.search(q.text, mode="quote", limit=limit)
    if not r.hits:
        return "nothing found", out
    win = r.hits[0]
    d_win, d_said = edit_distance(_keys(q.text), _keys(win.text)), edit_distance(_keys(q.text), q.said.split())
    out.append(f"  winner {win.score:.3f} {win.video_id}@{win.start:.1f} {win.text!r} (word edit distance to the "
               f"quote {d_win}; of the words said there: {d_said})")
    aligned = _quote_hit(q.text, truth.fields()) if truth else None
    if aligned:
        out.append(f"  true passage aligned alone: {aligned.score:.3f} {aligned.text!r}")
    if win.video_id == q.video_id and abs(win.start - q.start) <= 3:
        return "found in the diagnosis", out
    if d_win <= d_said:
        return "another place as close to the quote as the truth (a tie the corpus makes)", out
    if at is None:
        return "truth not a candidate" + (" (early stop)" if stopped else ""), out
    if at >= want:
        return "truth a candidate, below the aligned cut by order score", out
    return "truth aligned, ranked below a worse match", out


def diagnose(ix: PassageIndex, missed: Sequence[Missed]) -> None:
    reasons: Counter[str] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    print(f"\n## diagnosis of the {len(missed)} quotes not found at rank 1")
    for q in missed:
        why, lines = diagnose_one(ix, q)
        reasons[why] += 1
        by_kind[(why, q.kind)] += 1
        print("\n".join(lines))
        print(f"  => {why}")
    print("\nsummary:")
    for why, n in reasons.most_common():
        kinds = ", ".join(f"{k} {c}" for (w, k), c in sorted(by_kind.items()) if w == why)
        print(f"  {n:3d}  {why}  ({kinds})")
