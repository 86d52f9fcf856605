"""An article as plain text for the terminal: each paragraph with its moment and watch link, each quote's check."""

from __future__ import annotations

from collections.abc import Callable

from indexer.articles.link import ArticleLinks, ParagraphLink
from indexer.articles.load import Article
from indexer.articles.quotecheck import QuoteCheck, quoted
from indexer.deeplinks import clock


def render_text(aid: str, article: Article, links: list[ArticleLinks],
                watch: Callable[[str, float, float], str] | None = None) -> str:
    """Each paragraph with its moment in every linked video and each quote's checks (`watch(video_id, start,
    end)`: a link to the moment). Where several videos are linked, each line names its video, and a quote found in
    one of them is not listed as "not found" in the others."""
    lines = [f"{article.title}  [{aid}]", article.url or article.source, ""]
    for lk in links:
        via = ", via an English translation of the speech" if lk.via_translation else ""
        lines.append(f"video {lk.video_id} ({lk.precision} precision{via})")
        lines.extend(f"  note: {n}" for n in lk.notes)
    lines.append("")
    many = len(links) > 1
    tables = [(lk.video_id, {p.paragraph: p for p in lk.paragraphs}) for lk in links]
    for para in article.paragraphs:
        lines.append(para.text)
        spans = [(vid, table[para.index]) for vid, table in tables if para.index in table]
        covered = [(vid, p) for vid, p in spans if p.start is not None and p.end is not None]
        if not covered:
            lines.append(f"    -> not covered by {'any of the videos' if many else 'the video'}")
        for vid, link in covered:
            assert link.start is not None and link.end is not None
            where = f"  {watch(vid, link.start, link.end)}" if watch else ""
            lines.append(f"    -> {vid + '  ' if many else ''}{clock(link.start)}-{clock(link.end)}  "
                         f"(score {link.score:.2f}){where}")
        for checks in _by_quote(spans):
            lines.extend(_quote_lines(vid if many else None, q) for vid, q in checks)
        lines.append("")
    return "\n".join(lines)


def _by_quote(spans: list[tuple[str, ParagraphLink]]) -> list[list[tuple[str, QuoteCheck]]]:
    """Each quote of the paragraph with its check in every video; one "not found" only where no video has it."""
    grouped: dict[int, list[tuple[str, QuoteCheck]]] = {}
    for vid, link in spans:
        for q in link.quotes:
            grouped.setdefault(q.quote, []).append((vid, q))
    out = []
    for number in sorted(grouped):
        found = [(vid, q) for vid, q in grouped[number] if q.status != "not found"]
        out.append(found or grouped[number][:1])
    return out


def _difference(article: str, spoken: str, at: str) -> str:
    """One wording that differs, as an editor reads it: a word the article leaves out or adds is said so, where
    "article says ''" named the left-out word only as what the speaker said."""
    if not article:
        return f"the article leaves out {quoted(spoken)}, which the speaker said at {at}"
    if not spoken:
        return f"the article adds {quoted(article)}, which the speaker did not say (at {at})"
    return f"article says {quoted(article)}, speaker said {quoted(spoken)} at {at}"


def _quote_lines(video_id: str | None, q: QuoteCheck) -> str:
    basis = " (against captions)" if q.basis == "captions" and q.status != "not found" else ""
    who = f" ({q.speaker})" if q.speaker else ""
    where = f" in {video_id}" if video_id and q.status != "not found" else ""
    lines = [f"    quote {q.status}{where}{basis}: \u201c{q.text}\u201d{who}"]
    lines.extend(f"      {_difference(d.article, d.spoken, clock(d.start))}" for d in q.differences)
    heard = [f"the recogniser heard {quoted(d.spoken)} at {clock(d.start)}; the audio fits the article's "
             f"{quoted(d.article)} about as well" for d in q.misheard] if q.basis != "captions" else [
        f"the captions say {quoted(d.spoken)} at {clock(d.start)}, a near spelling of the article's "
        f"{quoted(d.article)} (no audio to hear it in: the captions may have it wrong)" for d in q.misheard]
    lines.extend(f"      {line}" for line in heard)
    return "\n".join(lines)
