"""The Whoosh side of a search: query.Q as Whoosh queries, BM25's saturation as a Whoosh weighting, and a
collector that filters and keeps a deadline."""

from __future__ import annotations

import time
from typing import Any

from whoosh.collectors import FilterCollector
from whoosh.idsets import BitSet
from whoosh.matching import Matcher
from whoosh.query import And, DisjunctionMax, Or, Query, Term
from whoosh.scoring import BaseScorer, WeightingModel
from whoosh.searching import Searcher

from indexer.search.query import AllOf, AnyOf, BestOf, Found, Q


def compile_query(q: Q) -> Query:
    if isinstance(q, AnyOf):
        return Or([compile_query(p) for p in q.parts])
    if isinstance(q, AllOf):
        return And([compile_query(p) for p in q.parts])
    if isinstance(q, BestOf):
        return DisjunctionMax([compile_query(p) for p in q.parts])
    return Term(q.field, q.text, boost=q.boost)


class WhooshCandidates:
    """query.Candidates on one Whoosh searcher, through a filter's documents (a bit set, None for all)."""

    quote_pool = 100
    # the words stage (an OR of common words, scanning tens of thousands of postings) cost Whoosh most of a second
    # at 100,000 passages: after a close match from the pairs it is skipped, as before issue 16's recall work
    quote_close_match = 0.8

    def __init__(self, searcher: Searcher, allow: BitSet | None) -> None:
        self.searcher, self.allow = searcher, allow

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self.searcher.doc_frequency(field, term))

    def doc_count(self) -> int:
        return int(self.searcher.doc_count())

    def estimate(self, query: Q) -> int:
        # Results.estimated_length() would run the query again through the filter: term statistics instead
        return int(compile_query(query).estimate_size(self.searcher.reader()))

    def top(self, query: Q, limit: int, seconds: float) -> tuple[list[Found], bool]:
        col = _Deadline(self.searcher.collector(limit=limit), self.allow, seconds)
        self.searcher.search_with_collector(compile_query(query), col)
        res = col.results()
        hits = [res[i] for i in range(res.scored_length())]
        return [Found(h.docnum, h.score, h.fields) for h in hits], col.timed_out


class Saturated(WeightingModel):
    """BM25's saturating term frequency times idf, without its length normalisation: passages are windows of
    nearly the same length, and reading every matched passage's length from disk was most of a query's time."""

    K1 = 1.2

    def __init__(self) -> None:
        # one model per searcher (so per commit): a term's idf sums its frequency over every segment, and a query
        # asks for it once per segment
        self._idf: dict[tuple[str, Any], float] = {}

    def scorer(self, searcher: Searcher, fieldname: str, text: Any, qf: int = 1) -> BaseScorer:
        idf = self._idf.get((fieldname, text))
        if idf is None:
            if len(self._idf) > 100_000:
                self._idf.clear()
            idf = self._idf[(fieldname, text)] = self.idf(searcher, fieldname, text)
        return _SaturatedScorer(idf, searcher.term_info(fieldname, text).max_weight())


class _SaturatedScorer(BaseScorer):
    def __init__(self, idf: float, max_weight: float) -> None:
        self.idf = idf
        self._max = self._score(max_weight)

    def _score(self, weight: float) -> float:
        return float(self.idf * weight * (Saturated.K1 + 1) / (weight + Saturated.K1))

    def supports_block_quality(self) -> bool:
        return True  # a block's best weight bounds its scores: the top-N collector skips blocks that cannot enter

    def score(self, matcher: Matcher) -> float:
        return self._score(matcher.weight())

    def max_quality(self) -> float:
        return self._max

    def block_quality(self, matcher: Matcher) -> float:
        return self._score(matcher.block_max_weight())


class _Deadline(FilterCollector):
    """Filters, and stops collecting at a deadline. (Whoosh's TimeLimitCollector wrapped around a filtering
    collector bypasses the filter, and a filter inside the query as Require trips an assertion in Whoosh 2.7.5's
    block-quality skipping.)"""

    def __init__(self, child: Any, allow: BitSet | None, seconds: float) -> None:
        super().__init__(child)
        self.allowed = allow  # not FilterCollector's `allow`: it treats an empty set as "no filter"
        self.deadline = time.monotonic() + seconds
        self.timed_out = False

    def collect_matches(self) -> None:
        child, allow = self.child, self.allowed
        for n, docnum in enumerate(child.matches()):
            if n % 32 == 0 and time.monotonic() > self.deadline:
                self.timed_out = True
                return
            if allow is None or child.offset + docnum in allow:
                child.collect(docnum)
