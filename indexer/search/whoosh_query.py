"""The Whoosh side of a search: the top candidates for a terms.Q (whoosh_arrays: numpy over the posting lists),
terms.Q as Whoosh queries (for Whoosh's own estimate of a result's size), and BM25's saturation as a Whoosh
weighting (the scores whoosh_arrays reproduces, kept for Whoosh's own searches of the index)."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from whoosh.matching import Matcher
from whoosh.query import And, DisjunctionMax, Or, Query, Term
from whoosh.scoring import BaseScorer, WeightingModel
from whoosh.searching import Searcher

from indexer.search.terms import AllOf, AnyOf, BestOf, CountOf, Found, Q
from indexer.search.whoosh_arrays import Leaves, Postings, saturated, top


def compile_query(q: Q) -> Query:
    if isinstance(q, (AnyOf, CountOf)):  # (for an estimate of its size: a CountOf matches as an AnyOf)
        return Or([compile_query(p) for p in q.parts])
    if isinstance(q, AllOf):
        return And([compile_query(p) for p in q.parts])
    if isinstance(q, BestOf):
        return DisjunctionMax([compile_query(p) for p in q.parts])
    return Term(q.field, q.text, boost=q.boost)


class WhooshCandidates:
    """terms.Candidates on one Whoosh searcher (its `Leaves`), through a filter's documents (a mask over document
    numbers, None for all)."""

    quote_pool = 100
    # the words stage (an OR of common words) costs milliseconds on posting arrays: skipped only after a
    # word-for-word match, as on tantivy (Whoosh's own matchers took most of a second for it at 100,000 passages)
    quote_close_match = 1.0
    quote_counts = True  # counting every quote word is a few posting arrays summed

    def __init__(self, leaves: Leaves, allow: np.ndarray | None) -> None:
        self.leaves, self.searcher, self.allow = leaves, leaves.searcher, allow
        self._last: tuple[Q, Postings] | None = None  # the query last evaluated, and its matches

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self.searcher.doc_frequency(field, term))

    def doc_count(self) -> int:
        return int(self.searcher.doc_count())

    def estimate(self, query: Q) -> int:
        """The passages that match, counted exactly through the filter, deleted ones left out: term statistics
        counted every passage of the index, deleted ones until merged away (a search filtered to 145 matches said
        9,280). The query's evaluation is the one `top` just made, where it made it."""
        ids, _scores = self._evaluate(query)
        return int(self.allow[ids].sum()) if self.allow is not None and len(ids) else len(ids)

    def _evaluate(self, query: Q) -> Postings:
        if self._last is None or self._last[0] is not query:
            self._last = (query, self.leaves.evaluate(query))
        return self._last[1]

    def top(self, query: Q, limit: int) -> list[Found]:
        # numpy over whole posting lists takes milliseconds even at a million passages: no deadline to keep
        ids, scores = top(self._evaluate(query), limit, self.allow)
        stored = self.searcher.stored_fields
        # keys from the index's `keys` column (plain bytes), where the stored passage is a compressed pickle (about
        # 0.1 ms to read, and a quote reads a few hundred candidates' keys); an index without the column gives None
        keys = self.leaves.column_text
        return [Found(int(i), float(s), partial(stored, int(i)), partial(keys, "keys", int(i)))
                for i, s in zip(ids, scores)]


class Saturated(WeightingModel):
    """BM25's saturating term frequency times idf, without its length normalisation: passages are windows of
    nearly the same length, and reading every matched passage's length from disk was most of a query's time."""

    def __init__(self) -> None:
        # one model per searcher (so per commit): a term's idf sums its frequency over every segment, and a query
        # asks for it once per segment
        self._idf: dict[tuple[str, Any], float] = {}

    def term_idf(self, searcher: Searcher, fieldname: str, text: Any) -> float:
        """Whoosh's idf of the term (deleted documents count until merged away), kept for the commit."""
        idf = self._idf.get((fieldname, text))
        if idf is None:
            if len(self._idf) > 100_000:
                self._idf.clear()
            idf = self._idf[(fieldname, text)] = self.idf(searcher, fieldname, text)
        return idf

    def scorer(self, searcher: Searcher, fieldname: str, text: Any, qf: int = 1) -> BaseScorer:
        return _SaturatedScorer(self.term_idf(searcher, fieldname, text),
                                searcher.term_info(fieldname, text).max_weight())


class _SaturatedScorer(BaseScorer):
    def __init__(self, idf: float, max_weight: float) -> None:
        self.idf = idf
        self._max = self._score(max_weight)

    def _score(self, weight: float) -> float:
        return float(saturated(self.idf, weight))

    def supports_block_quality(self) -> bool:
        return True  # a block's best weight bounds its scores: the top-N collector skips blocks that cannot enter

    def score(self, matcher: Matcher) -> float:
        return self._score(matcher.weight())

    def max_quality(self) -> float:
        return self._max

    def block_quality(self, matcher: Matcher) -> float:
        return self._score(matcher.block_max_weight())
