"""Articles through the service, the CLI and HTTP: ingest with an article, links both ways, exports."""

from __future__ import annotations

import html
import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app
from indexer.articles.load import load_article
from indexer.config import Settings
from indexer.errors import InvalidInput
from indexer.ingest.types import ArticleResult
from indexer.service import Clipindex, IngestOptions
from tests.apiserver import running
from tests.conftest import FIXTURES, settings_for, stored_video
from tests.test_web_api import sentence_vtt

runner = CliRunner()
URL = "https://courier.example.org/2026/11/river-flood"


def article_page(tmp_path: Path) -> Path:
    """The report's article as a saved web page, with navigation, share buttons and comments around it."""
    lines = (FIXTURES / "report_en_article.md").read_text(encoding="utf-8").splitlines()
    title = lines[0].lstrip("# ")
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in lines[1:] if p.strip())
    page = f"""<!doctype html><html lang="en"><head><title>{html.escape(title)} | The Courier</title>
<link rel="canonical" href="{URL}"><meta property="article:published_time" content="2026-11-20"></head><body>
<nav><a href="/">Home</a> <a href="/city">City</a> <a href="/sport">Sport</a></nav>
<article><h1>{html.escape(title)}</h1>{body}</article>
<div class="share">Share on social media</div>
<section class="comments"><h2>Comments</h2><p>I live by the river and nobody warned us!</p></section>
</body></html>"""
    path = tmp_path / "flood.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Clipindex, str, Path]:
    """One archive for the module's tests (each reads it; the ingest with the real model is what costs)."""
    root = tmp_path_factory.mktemp("linked")
    # The sequential recogniser: these tests check linking and quote checks against what the report says, and tiny.en
    # in batched chunks (without the previous 30 s as context) hears "More rain is expected" as "More ready next back
    # to Don", which moves that paragraph's link to its second sentence. The batched default is checked against the
    # sequential path in tests/test_transcribe.py.
    svc = Clipindex(settings_for(root, batch_size=1))
    page = article_page(root)
    [result] = list(svc.ingest(str(FIXTURES / "report_en.mp4"), IngestOptions(article=str(page))))
    assert result.status == "ingested" and result.video_id
    return svc, result.video_id, page


@pytest.mark.slow
def test_ingest_with_an_article_links_paragraphs_and_checks_quotes(linked: tuple[Clipindex, str, Path]) -> None:
    svc, video_id, _page = linked
    truth = json.loads((FIXTURES / "report_en.json").read_text())["sentences"]
    [summary] = svc.articles.list()
    assert summary.videos == (video_id,) and summary.url == URL
    linked = svc.articles.get(summary.id)
    article, [links] = linked.article, linked.links
    assert len(links.paragraphs) == len(article.paragraphs)
    firsts = {s["paragraph"]: s["start"] for s in reversed(truth)}
    for p in links.paragraphs:
        assert p.start is not None, f"paragraph {p.paragraph} should be covered"
        assert abs(p.start - firsts[p.paragraph]) <= 3.0
    # the quote is printed as it was spoken: whatever the recogniser misheard, the audio must not call it a misquote
    assert links.quotes and all(q.status in ("verbatim", "probably verbatim") and q.basis == "audio"
                                for q in links.quotes), links.quotes
    assert all(q.speaker == "Helen Carter" for q in links.quotes), "she said: the mayor, not the Stone Bridge"
    _confirmed_article_wording_corrects_the_transcript(svc, video_id, _page)


def _confirmed_article_wording_corrects_the_transcript(svc: Clipindex, video_id: str, page: Path) -> None:
    """The recogniser's "falling" written as "calling" (an editor's correction stands in for the mistake): the audio
    fits the article's "falling" better, so the article's word goes back into the transcript, searchable and
    reversible."""
    said = next(w for w in svc.transcript(video_id).words if w.text.strip(" ,.").lower() == "falling")
    svc.correct_words(video_id, said.start, said.end, "calling,")
    [summary] = svc.articles.list()
    svc.articles.add(str(page), [video_id])
    [check] = svc.articles.get(summary.id).links[0].quotes
    assert check.status == "probably verbatim" and check.basis == "audio", check
    heard = {(d.article, d.spoken): d for d in check.misheard}  # tiny.en also hears the mayor's "hit" as "kit"
    assert (heard[("falling", "calling")].audio or 0) > 0
    fixes = svc.articles.correct_transcripts(summary.id)
    [fix] = [f for f in fixes if f.text == "falling"]
    assert fix.source == "article" and [w.text.strip() for w in fix.before] == ["calling,"]
    assert {w.source for w in svc.transcript(video_id).words if w.text.strip() == "falling,"} == {"article"}
    assert svc.articles.get(summary.id).links[0].quotes[0].status in ("verbatim", "probably verbatim")
    assert svc.search('"the water is falling"').hits
    for f in fixes:
        svc.revert_correction(video_id, f.id)
    assert any(w.text.strip() == "calling," for w in svc.transcript(video_id).words)


@pytest.mark.slow
def test_search_hits_link_back_to_the_article_paragraph(linked: tuple[Clipindex, str, Path]) -> None:
    svc, _video_id, _page = linked
    hits = svc.search("stone bridge foundations", mode="keyword").hits
    assert hits and hits[0].links["article"].startswith(URL + "#:~:text=")


@pytest.mark.slow
def test_cli_show_and_exports(linked: tuple[Clipindex, str, Path]) -> None:
    svc, video_id, _page = linked
    env = {"CLIPINDEX_DATA_DIR": str(svc.settings.data_dir)}
    aid = svc.articles.list()[0].id
    shown = runner.invoke(app, ["article", "show", aid], env=env)
    assert shown.exit_code == 0 and " -> 0:" in shown.stdout and "quote " in shown.stdout and "#t=" in shown.stdout
    exported = runner.invoke(app, ["article", "export", aid, "--format", "html"], env=env)
    # a local file has no public URL: the export links no media (the server's paths stay private), but marks quotes
    assert exported.exit_code == 0 and 'data-check="' in exported.stdout and "<script" not in exported.stdout
    assert 'data-basis="audio"' in exported.stdout and "play from" not in exported.stdout
    jsonld = json.loads(runner.invoke(app, ["article", "export", aid, "--format", "jsonld"], env=env).stdout)
    assert jsonld["@type"] == "VideoObject" and jsonld["hasPart"][0]["@type"] == "Clip"
    again = runner.invoke(app, ["article", "add", str(_page), "--json"], env=env)
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["links"][0]["video_id"] == video_id, "the video is found by search"


HOSTILE_CAPTIONS = """WEBVTT

00:00:01.000 --> 00:00:06.000
The river rose two metres overnight and flooded the lower streets of the old town on Friday.

00:00:06.000 --> 00:00:10.000
Nobody crosses that bridge until I know it will hold.
"""


def test_jsonld_export_cannot_close_the_script_block_it_is_pasted_into(settings: Settings, tmp_path: Path) -> None:
    """JSON-LD goes into <script type="application/ld+json">: a "</script>" in a title or paragraph closed the block
    and whatever followed ran as the page's HTML."""
    svc = Clipindex(settings)
    captions = tmp_path / "flood.vtt"
    captions.write_text(HOSTILE_CAPTIONS, encoding="utf-8")
    title = "Flood </script><script>alert(1)</script>"
    [result] = list(svc.ingest(str(captions), IngestOptions(
        title=title, language="en", url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")))
    assert result.video_id is not None
    page = tmp_path / "hostile.txt"
    page.write_text("<img src=x onerror=alert(1)>\n\nThe river rose two metres overnight & flooded the lower streets "
                    "of the old town on Friday </script>.\n\nThe mayor said: \"Nobody crosses that bridge until I "
                    "know it will hold.\"\n", encoding="utf-8")
    aid = svc.articles.add(str(page), [result.video_id]).id
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir)}
    exported = runner.invoke(app, ["article", "export", aid, "--format", "jsonld"], env=env)
    assert exported.exit_code == 0, exported.stderr
    assert not {"<", ">", "&"} & set(exported.stdout), exported.stdout
    doc = json.loads(exported.stdout)
    assert doc["name"] == title and doc["associatedArticle"]["headline"] == "<img src=x onerror=alert(1)>"
    assert doc["hasPart"][0]["name"].endswith("& flooded the lower streets of the old town on Friday </script>.")
    assert doc["hasPart"][0]["url"].endswith("&t=1s")
    assert json.loads(svc.articles.render(aid, "jsonld", media_base="/media")) == doc  # what HTTP serves


@pytest.mark.parametrize("content, message", [
    (b"", "{path} is empty"), (b"\x00\x01\x02binary", "{path} is a binary file, not an article"),
    (b"<html><body><nav>Home</nav></body></html>", "no article text found in {path}"),  # navigation only
])
def test_bad_articles_fail_before_any_work(settings: Settings, tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.html"
    bad.write_bytes(content)
    env = {"CLIPINDEX_DATA_DIR": str(settings.data_dir), "CLIPINDEX_MODEL": "tiny.en"}
    result = runner.invoke(app, ["ingest", str(FIXTURES / "report_en.mp4"), "--article", str(bad)], env=env)
    assert result.exit_code != 0
    assert result.stderr == f"error: {message.format(path=bad)}\n", "the article's fault, said before any work"
    assert Clipindex(settings).videos() == [] and Clipindex(settings).articles.list() == []


@pytest.mark.slow
def test_http_article_endpoints(linked: tuple[Clipindex, str, Path]) -> None:
    svc, video_id, _page = linked
    _key, secret = svc.keys.create("articles")
    with running(svc, workers=0) as url, httpx.Client(base_url=url) as c:
        data = c.get(f"/v1/videos/{video_id}/article").json()
        assert data["url"] == URL and data["paragraphs"][0]["start"] is not None
        aid = c.get("/v1/articles").json()[0]["id"]
        assert c.get(f"/v1/articles/{aid}/export", params={"format": "jsonld"}).json()["@type"] == "VideoObject"
        r = c.post("/v1/articles", json={"url": "http://127.0.0.1:9/x"}, headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 400 and "non-public" in r.json()["error"]
        assert c.post("/v1/articles", json={"url": URL}).status_code == 401


@pytest.mark.slow
def test_an_article_linked_to_one_more_video_keeps_the_others_and_can_be_unlinked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`article add --video B` dropped the article's link to video A without a word; an ingest with the article
    after its page had changed (a paragraph added at the top) kept A's links, which name paragraphs by place, so
    every moment and quote check of A sat one paragraph too low. A duplicate or a wrong article could not be
    deleted, and the same saved page typed as a relative and an absolute path was two articles."""
    svc = Clipindex(settings_for(tmp_path / "data"))
    ids = []
    for name in ("early", "late"):
        vtt = sentence_vtt(FIXTURES / "report_en.json", tmp_path / f"{name}.vtt")
        with vtt.open("a", encoding="utf-8") as f:  # two editions: the late one ends with a line of its own
            f.write("\n01:50.000 --> 01:52.000\nThat was the late edition.\n" if name == "late" else "")
        [result] = list(svc.ingest(str(vtt), IngestOptions(title=f"{name} edition")))
        ids.append(result.video_id)
    early, late = ids
    md = (FIXTURES / "report_en_article.md").read_text(encoding="utf-8")
    page = tmp_path / "story.md"
    page.write_text(md, encoding="utf-8")
    first = svc.articles.add(str(page), [early])
    svc.articles.add(str(page), [late])
    assert [a.videos for a in svc.articles.list()] == [(early, late)]
    before = {p.paragraph: p.start for p in svc.articles.get(first.id).links[0].paragraphs if p.start is not None}
    # the page changes: an update at the top, which neither video covers; then it is linked to the late edition
    title, rest = md.split("\n", 1)
    page.write_text(f"{title}\n\nUPDATE: the council will meet on Monday to plan the repairs of the town hall roof."
                    f"\n{rest}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the same file by a relative path: the same article
    relinked = svc.articles.add("story.md", [late])
    assert relinked.id == first.id and len(svc.articles.list()) == 1
    [of_early] = [lk for lk in svc.articles.get(first.id).links if lk.video_id == early]
    after = {p.paragraph: p.start for p in of_early.paragraphs if p.start is not None}
    assert 0 not in after and after == {k + 1: v for k, v in before.items()}, (before, after)
    code = runner.invoke(app, ["article", "delete", first.id, "--video", late,
                               "--data-dir", str(svc.settings.data_dir)])
    assert code.exit_code == 0 and "unlinked" in code.output, code.output
    assert [a.videos for a in svc.articles.list()] == [(early,)]
    _key, secret = svc.keys.create("desk")
    auth = {"Authorization": f"Bearer {secret}"}
    with running(svc, workers=0) as url, httpx.Client(base_url=url) as c:
        assert c.delete(f"/v1/articles/{first.id}").status_code == 401
        r = c.delete(f"/v1/articles/{first.id}", headers=auth)
        assert r.status_code == 200 and r.json() == {"deleted": first.id}, r.text
        assert c.delete(f"/v1/articles/{first.id}", headers=auth).status_code == 404
    assert svc.articles.list() == []


def test_a_page_fetched_by_url_is_the_article_its_canonical_address_names(tmp_path: Path) -> None:
    """The story fetched through a redirect, its AMP copy, or with tracking parameters were three articles; the
    canonical address on the page's own site keys them as one. Another site's canonical address is not taken."""
    body = "".join(f"<p>{line}</p>" for line in (FIXTURES / "report_en_article.md").read_text().splitlines()[2:]
                   if line.strip())
    page = (f"<html lang='en'><head><link rel='canonical' href='{URL}'></head><body><article><h1>River</h1>{body}"
            "</article></body></html>").encode()
    for fetched in (URL + "?utm_source=feed", "https://amp.courier.example.org/2026/11/river-flood.amp"):
        assert load_article(fetched, fetch=lambda _url: page).url == URL
    assert load_article("https://other.example.net/copy", fetch=lambda _url: page).url == \
        "https://other.example.net/copy"


def test_a_correction_of_the_words_said_checks_the_article_again(tmp_path: Path) -> None:
    """An editor's correction of the transcript left the article's quote check citing the words as they were before:
    "speaker said 'eighteen'" after the transcript was corrected to "eight"; its revert likewise."""
    svc = Clipindex(settings_for(tmp_path / "data"))
    vtt = sentence_vtt(FIXTURES / "report_en.json", tmp_path / "report.vtt")
    [result] = list(svc.ingest(str(vtt), IngestOptions()))
    video = str(result.video_id)
    page = tmp_path / "story.md"
    page.write_text((FIXTURES / "report_en_article.md").read_text(encoding="utf-8").replace("hard hit", "heavy hit"),
                    encoding="utf-8")
    linked = svc.articles.add(str(page), [video])

    def quote_differences() -> list[tuple[str, str]]:
        checks = [q for lk in svc.articles.get(linked.id).links for q in lk.quotes]
        return [(d.article, d.spoken) for q in checks for d in q.differences]

    assert quote_differences() == [("heavy", "hard")]
    [hard] = [w for w in svc.transcript(video).words if w.text.strip(",.").lower() == "hard"]
    fix = svc.correct_words(video, hard.start, hard.end, "heavy")
    assert quote_differences() == []
    svc.revert_correction(video, fix.id)
    assert quote_differences() == [("heavy", "hard")]


def test_an_article_linked_to_two_videos_shows_both_and_exports_the_one_asked_for(tmp_path: Path) -> None:
    """`article show` and the exports read the first linked video only: a quote the second video shows to differ
    (the speaker said "not") read "not covered by the video" and "quote not found", the only alarm hidden."""
    svc = Clipindex(settings_for(tmp_path / "data"))
    ids = []
    for name, said in (("library", "We will keep the library open all summer."),
                       ("pool", "The pool will not close in August, the mayor said.")):
        vtt = tmp_path / f"{name}.vtt"
        vtt.write_text(f"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nThe mayor spoke at the town hall.\n\n"
                       f"00:00:05.000 --> 00:00:09.000\n{said}\n", encoding="utf-8")
        [result] = list(svc.ingest(str(vtt), IngestOptions(title=name, language="en")))
        ids.append(str(result.video_id))
    library, pool = ids
    page = tmp_path / "summer.md"
    page.write_text("# Summer in town\n\nThe mayor spoke at the town hall: “We will keep the library open all "
                    "summer.”\n\nShe also said: “The pool will close in August.”\n", encoding="utf-8")
    aid = svc.articles.add(str(page), [library, pool]).id
    text = svc.articles.render(aid, "text")
    assert f"quote verbatim in {library} (against captions): “We will keep the library open all summer.”" in text
    assert f"quote differs in {pool} (against captions): “The pool will close in August.”" in text
    assert "the article leaves out 'not', which the speaker said at 0:0" in text, text
    assert "quote not found" not in text and "article says ''" not in text, text
    assert f"-> {pool}  0:05-0:09" in text, text
    with pytest.raises(InvalidInput, match="linked to 2 videos .*say which one") as refused:
        svc.articles.render(aid, "html")
    assert library in str(refused.value) and pool in str(refused.value)
    assert "pool" in svc.articles.render(aid, "jsonld", video=pool).lower()
    with pytest.raises(InvalidInput, match="not linked to"):
        svc.articles.render(aid, "html", video=stored_video(svc))
    code = runner.invoke(app, ["article", "export", aid, "--video", library, "--data-dir",
                               str(svc.settings.data_dir)])
    assert code.exit_code == 0 and "library open all summer" in code.output, code.output


def test_a_word_the_article_adds_or_leaves_out_is_named_as_such() -> None:
    """An omission read "article says '', speaker said 'orada'": the empty wording was the article's."""
    from indexer.articles.render import _difference

    assert _difference("", "orada", "0:13") == "the article leaves out 'orada', which the speaker said at 0:13"
    assert _difference("tez", "", "0:13") == "the article adds 'tez', which the speaker did not say (at 0:13)"
    assert _difference("ammo", "lekin", "0:28") == "article says 'ammo', speaker said 'lekin' at 0:28"


@pytest.mark.slow
def test_a_forced_ingest_checks_the_articles_linked_before_against_its_new_transcript(
        settings: Settings, media_dir: Path, tmp_path: Path) -> None:
    """`ingest --force` made a new transcript (here new captions; in the audit, the speech read in another language)
    and the article linked before still said "verbatim", with the old transcript's times, until `article add` ran
    again by hand."""
    import shutil

    from indexer.articles.store import ArticleStore

    media, sidecar = tmp_path / "story.mp4", tmp_path / "story.srt"
    shutil.copy(media_dir / "report.mp4", media)
    sidecar.write_text("1\n00:00:00,000 --> 00:00:03,000\nThe mayor said we will not close the bridge.\n")
    page = tmp_path / "bridge.md"
    page.write_text("# Bridge\n\nThe mayor spoke on Monday: “We will not close the bridge.”\n", encoding="utf-8")
    svc = Clipindex(settings)
    [first] = list(svc.ingest(str(media), IngestOptions()))
    video_id = str(first.video_id)
    svc.articles.add(str(page), [video_id])
    [(_, links)] = ArticleStore(svc.store).for_video(video_id)
    assert [q.status for q in links.quotes] == ["verbatim"]

    sidecar.write_text("1\n00:00:00,000 --> 00:00:03,000\nThe mayor said we will close the bridge.\n")
    [again] = list(svc.ingest(str(media), IngestOptions(force=True)))
    assert again.video_id == first.video_id
    [(_, links)] = ArticleStore(svc.store).for_video(video_id)
    [check] = links.quotes
    assert check.status == "differs" and [d.article for d in check.differences] == ["not"], check
    assert svc.store.step_result(video_id, "article", ArticleResult).rechecked == 1
