"""`clipindex keys` and `clipindex article`: API keys, and articles linked to video moments."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_common import DataDir, JsonOut, emit, err, errors, out, service
from indexer.errors import InvalidInput

if TYPE_CHECKING:  # a type only: importing the store (SQLAlchemy) would slow every command's start, --help too
    from indexer.store.corrections import Correction

keys_app = typer.Typer(no_args_is_help=True, help="API keys for the HTTP API's write endpoints.",
                       epilog="Example: clipindex keys create newsroom-cms")


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
                data_dir: DataDir = None) -> None:
    """Create an API key; the secret is printed once and only its hash is stored.

    Example: clipindex keys create newsroom-cms
    """
    with errors():
        key, secret = service(data_dir).keys.create(name)
    err.print(f"created key {key.id} ({key.name}); keep the secret below, it is not shown again", markup=False)
    out.print(secret, markup=False)


@keys_app.command("list")
def keys_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List API keys (never their secrets).

    Example: clipindex keys list --json
    """
    with errors():
        keys = service(data_dir).keys.list()
    if as_json:
        out.print(json.dumps([asdict(k) for k in keys]))
        return
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        out.print(f"{k.id}  {state:<8} {k.name}", markup=False)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")],
                data_dir: DataDir = None) -> None:
    """Revoke an API key at once.

    Example: clipindex keys revoke 1a2b3c4d
    """
    with errors():
        key = service(data_dir).keys.revoke(key_id)
    out.print(f"revoked {key.id} ({key.name})", markup=False)


article_app = typer.Typer(no_args_is_help=True, help="Articles: link them to video moments and check their quotes.",
                          epilog="Example: clipindex article add https://example.org/news/flood --video yt:dQw4w9WgXcQ")


@article_app.command("add")
def article_add(
    source: Annotated[str, typer.Argument(help="Article URL, saved HTML page, Markdown or text file.")],
    video: Annotated[list[str] | None, typer.Option(help="Link to this video (repeatable); else found by search.")]
    = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Add an article: each paragraph is linked to the moment that covers it, each quote checked.

    Example: clipindex article add https://example.org/news/flood --video yt:dQw4w9WgXcQ
    """
    with errors():
        svc = service(data_dir)
        linked = svc.articles.add(source, video or None)
        text = svc.articles.render(linked.id, "json" if as_json else "text")
    sys.stdout.write(text + "\n")


@article_app.command("list")
def article_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List articles and the videos they are linked to.

    Example: clipindex article list --json
    """
    with errors():
        items = service(data_dir).articles.list()
    if as_json:
        out.print(json.dumps([asdict(a) for a in items], ensure_ascii=False, indent=1))
        return
    for a in items:
        out.print(f"{a.id}  {a.title}  -> {', '.join(a.videos) or 'no video'}", markup=False)


@article_app.command("delete")
def article_delete(
    article: Annotated[str, typer.Argument(help="Article id (see `clipindex article list`) or URL.")],
    video: Annotated[str | None, typer.Option(help="Only unlink it from this video.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Forget an article (a duplicate, one linked by mistake) and its links, or only its link to one video.

    Example: clipindex article delete art:3f9a1c --video yt:dQw4w9WgXcQ
    """
    with errors():
        aid = service(data_dir).articles.delete(article, video)
    out.print(f"unlinked {aid} from {video}" if video else f"deleted {aid}", markup=False)


@article_app.command("show")
def article_show(
    article: Annotated[str, typer.Argument(help="Article id (see `clipindex article list`) or URL.")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Print the article with each paragraph's moment and each quote's check.

    Example: clipindex article show art:3f9a1c
    """
    with errors():
        text = service(data_dir).articles.render(article, "json" if as_json else "text")
    sys.stdout.write(text + "\n")


@article_app.command("export")
def article_export(
    article: Annotated[str, typer.Argument(help="Article id (see `clipindex article list`) or URL.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="html (a fragment for a CMS) or jsonld (schema.org).")]
    = "html",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead.")] = None,
    video: Annotated[str | None, typer.Option(
        help="The video whose moments to export, where the article is linked to several.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export an article annotated with its video moments, as HTML or schema.org JSON-LD.

    Example: clipindex article export art:3f9a1c --format jsonld -o moments.jsonld
    """
    with errors():
        if fmt not in ("html", "jsonld"):
            raise InvalidInput("--format must be html or jsonld")
        svc = service(data_dir)
        emit(svc.articles.render(article, fmt, video=video) + "\n", output, svc)


@article_app.command("correct")
def article_correct(
    article: Annotated[str, typer.Argument(help="Article id (see `clipindex article list`) or URL.")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Write the article's wording into the transcript where the audio prefers it to what the recogniser wrote.

    Only words the recogniser misheard qualify (a quote's `misheard` list, whether the quote as a whole reads
    "probably verbatim" or "differs" on other words), and only where the re-scored audio fits the article's words
    better. Each change is a correction with source "article", undone with
    `clipindex correction revert VIDEO ID`; search finds the corrected words at once.

    Example: clipindex article correct art:3f9a1c
    """
    with errors():
        made = service(data_dir).articles.correct_transcripts(article)
    _corrections(made, as_json, "nothing to correct: no quote's audio prefers the article's words to the "
                 "transcript's")


correction_app = typer.Typer(no_args_is_help=True, help="Corrections of a video's stored transcript (reversible).",
                             epilog='Example: clipindex correction add file:9c1e 12.3 13.1 "residence"')
Video = Annotated[str, typer.Argument(help="Video id or unique prefix (see `clipindex videos`).")]


@correction_app.command("add")
def correction_add(
    video: Video,
    start: Annotated[float, typer.Argument(help="Seconds: words whose middle lies in START..END are replaced.")],
    end: Annotated[float, typer.Argument(help="Seconds.")],
    text: Annotated[str, typer.Argument(help="The words said there (empty removes the words).")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Replace the transcript's words between START and END; search finds the new words at once.

    Example: clipindex correction add file:9c1e 12.3 13.1 "residence"
    """
    with errors():
        made = service(data_dir).correct_words(video, start, end, text)
    _corrections([made], as_json, "")


@correction_app.command("list")
def correction_list(video: Video, data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """List a video's corrections, oldest first (reverted ones marked).

    Example: clipindex correction list file:9c1e
    """
    with errors():
        made = service(data_dir).corrections(video)
    _corrections(made, as_json, "no corrections")


@correction_app.command("revert")
def correction_revert(
    video: Video,
    correction: Annotated[str, typer.Argument(help="The correction's id (see `clipindex correction list`).")],
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """Put back the words a correction replaced.

    Example: clipindex correction revert file:9c1e cor_1a2b3c4d5e6f
    """
    with errors():
        made = service(data_dir).revert_correction(video, correction)
    _corrections([made], as_json, "")


def _corrections(made: list[Correction], as_json: bool, empty: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps([asdict(c) for c in made], ensure_ascii=False, indent=1) + "\n")
        return
    for c in made:
        before = " ".join(w.text.strip() for w in c.before)
        state = "  (reverted)" if c.reverted_at else ""
        sys.stdout.write(f"{c.id}  {c.video_id}  {c.start:.2f}-{c.end:.2f}  {c.source}: {before!r} -> "
                         f"{c.text!r}{state}\n")
    if not made and empty:
        sys.stdout.write(empty + "\n")
