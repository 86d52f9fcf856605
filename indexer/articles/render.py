"""An article as plain text for the terminal: each paragraph with its moment and watch link, each quote's check."""

from __future__ import annotations

from collections.abc import Callable

from indexer.articles.link import ArticleLinks
from indexer.articles.load import Article
from indexer.deeplinks import clock


def render_text(aid: str, article: Article, links: list[ArticleLinks],
                watch: Callable[[float, float], str] | None = None) -> str:
    lines = [f"{article.title}  [{aid}]", article.url or article.source, ""]
    for lk in links:
        via = ", via an English translation of the speech" if lk.via_translation else ""
        lines.append(f"video {lk.video_id} ({lk.precision} precision{via})")
        lines.extend(f"  note: {n}" for n in lk.notes)
    lines.append("")
    first = links[0] if links else None
    by_index = {p.paragraph: p for p in first.paragraphs} if first else {}
    for para in article.paragraphs:
        lines.append(para.text)
        link = by_index.get(para.index)
        if link is None or link.start is None or link.end is None:
            lines.append("    -> not covered by the video")
        else:
            where = f"  {watch(link.start, link.end)}" if watch else ""
            lines.append(f"    -> {clock(link.start)}-{clock(link.end)}  (score {link.score:.2f}){where}")
        for q in link.quotes if link else ():
            basis = " (against captions)" if q.basis == "captions" and q.status != "not found" else ""
            who = f" ({q.speaker})" if q.speaker else ""
            lines.append(f"    quote {q.status}{basis}: \u201c{q.text}\u201d{who}")
            lines.extend(f"      article says {d.article!r}, speaker said {d.spoken!r} at {clock(d.start)}"
                         for d in q.differences)
            heard = [f"the recogniser heard {d.spoken!r} at {clock(d.start)}; the audio fits the article's "
                     f"{d.article!r} about as well" for d in q.misheard] if q.basis != "captions" else [
                f"the captions say {d.spoken!r} at {clock(d.start)}, a near spelling of the article's {d.article!r} "
                "(no audio to hear it in: the captions may have it wrong)" for d in q.misheard]
            lines.extend(f"      {line}" for line in heard)
        lines.append("")
    return "\n".join(lines)
