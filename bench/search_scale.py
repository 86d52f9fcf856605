"""Search at archive scale: index rate and size, keyword and quote latency (p50/p95/p99) and quote R@1 by size.

Run:  .venv/bin/python bench/search_scale.py --passages 10000          (2-3 minutes on a quiet 2-core machine)
      .venv/bin/python bench/search_scale.py --passages 100000         (about 20 minutes on a quiet one)
      .venv/bin/python bench/search_scale.py --passages 10000 --profile   (cProfile of the queries, top functions)
      --service-passages N   also ingests N passages as caption files through the whole service
      --backend tantivy      the same on the tantivy backend (CLIPINDEX_SEARCH_BACKEND; default whoosh)
      --sentences PATH       programmes of real news sentences from a fetched SpeechTopSeg copy (see Corpus)
      --keep DIR / --reuse DIR   build into DIR and keep it; later runs search it again without building
      --diagnose             for each quote missed at rank 1: its candidates stage by stage, and why (search_diagnose)
      --warm                 every query once before the timed run (the caches a long-running server has filled)
      --bulk-segment N       Whoosh: bulk-load with Whoosh's multi-process writer, N passages a commit, no merges
      --parse-postings       Whoosh: parse every posting list from Whoosh's blocks, not from the decoded files (as
                             before whoosh_decoded); by default the missing files are decoded, timed, before the run

Corpus (made here, nothing downloaded or committed): half-hour programmes of broadcast-like sentences in English,
Russian and Uzbek (Latin and Cyrillic), one caption cue per sentence. Each sentence is one of the project's own
story sentences (bench/data/search/stories.json) with about a third of its words replaced by words drawn, by a
Zipf law, from that language's vocabulary: the stories' words first, then made-up words in the same script. So
lengths, scripts, numbers and word frequencies look like speech, and nearly every sentence is new. Transcripts
are made exactly as a caption import makes them (word times spread by characters).
With --sentences PATH the programmes are real news instead: SpeechTopSeg's broadcasts (fetch the public repository
sakshishukla1996/SpeechTopSeg; it has no licence, so nothing of it is committed) in English, French, German,
Italian, Spanish and Portuguese, whole programmes of its train lists in random order joined into half hours of one
language, each sentence a cue at its own time.

How it is loaded: most passages through the index interface, 10,000 passages a commit (`SearchIndex.add_many`: the
size to be measured, reached quickly); then --step-passages video by video the way the ingest chain's index step
writes them, once with a commit per video (`add`, the step before batching) and once batched (`enqueue`), each
with the time until another process's searcher sees the last video; then, optionally, caption files through
`Clipindex.ingest` (every step, so this rate includes chapters and the store, not only the index).

Queries (known answers): quotes of 6-14 words from random places, exact or misremembered (a word replaced, two
replaced, one dropped, one added, two swapped); a quote is found at rank 1 when the first hit is in the right video
and starts within 3 s of the truth (as bench/eval_search.py), or when its words are the very words said
there (recombined sentences repeat short runs of common words: the same words said elsewhere are a right answer;
the strict share is printed too). Keyword queries: 1-3 words of a random sentence.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_diagnose import diagnose  # noqa: E402
from indexer.config import SEARCH_BACKENDS, Settings  # noqa: E402
from indexer.formats import from_cues  # noqa: E402
from indexer.ingest.types import IngestOptions  # noqa: E402
from indexer.models import Transcript, Video  # noqa: E402
from indexer.search.base import PassageIndex, index_dir, open_index  # noqa: E402
from indexer.search.passages import build_passages  # noqa: E402
from indexer.service import Clipindex  # noqa: E402
from indexer.text.normalize import tokenize_text  # noqa: E402
from media.captions import Cue, write_srt  # noqa: E402

STORIES = ROOT / "bench" / "data" / "search" / "stories.json"
PROGRAMME_S = 1800.0
WORD_S, PAUSE_S = 0.38, 0.45
REPLACE = 0.33  # share of a sentence's words drawn afresh from the vocabulary
VOCAB = 20_000  # per language
KINDS = ("exact", "replace1", "replace2", "drop1", "add1", "swap")
SYLLABLES = {"latin": [c + v for c in "bdfgklmnprstvxyz" for v in "aeiou"] + ["sh", "ch", "o'", "ng"],
             "cyrillic": [c + v for c in "бвгдзклмнпрстфхчш" for v in "аеиоуыя"] + ["ў", "қ", "ҳ", "й"]}


@dataclass(frozen=True)
class Programme:
    video: Video
    cues: list[Cue]
    transcript: Transcript
    passages: int


def _script(text: str) -> str:
    return "cyrillic" if any("\u0400" <= ch <= "\u04ff" for ch in text) else "latin"


def _language_pools(rng: random.Random) -> dict[tuple[str, str], tuple[list[list[str]], list[str], list[float]]]:
    """(language, script) -> (sentences as word lists, Zipf-ranked vocabulary, its weights)."""
    stories = json.loads(STORIES.read_text(encoding="utf-8"))["stories"]
    pools: dict[tuple[str, str], tuple[list[list[str]], list[str], list[float]]] = {}
    for s in stories:
        for text in s["sentences"]:
            sents, _, _ = pools.setdefault((s["language"], _script(text)), ([], [], []))
            sents.append(text.split())
    for (_, script), (sents, vocab, weights) in pools.items():
        counts: dict[str, int] = {}
        for w in (w.strip(".,!?;:«»\"").lower() for sent in sents for w in sent):
            if w and not w.isdigit():
                counts[w] = counts.get(w, 0) + 1
        vocab += sorted(counts, key=lambda w: (-counts[w], w))
        seen = set(vocab)
        while len(vocab) < VOCAB:
            w = "".join(rng.choices(SYLLABLES[script], k=rng.randint(2, 4)))
            if w not in seen:
                seen.add(w)
                vocab.append(w)
        acc = 0.0
        for i in range(len(vocab)):  # cumulative: random.choices is then a bisection, not a sum per call
            acc += 1 / (i + 1) ** 0.9
            weights.append(acc)
    return pools


def _sentence(sents: list[list[str]], vocab: list[str], weights: list[float], rng: random.Random) -> str:
    words = list(rng.choice(sents))
    fresh = rng.choices(vocab, cum_weights=weights, k=len(words))
    for i, w in enumerate(words):
        if rng.random() < REPLACE and not any(ch.isdigit() for ch in w):
            tail = w[len(w.rstrip(".,!?;:")):]
            words[i] = fresh[i] + tail
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def programmes(n_passages: int, seed: int) -> Iterator[Programme]:
    """Half-hour programmes until they hold n_passages passages."""
    rng = random.Random(seed)
    pools = _language_pools(rng)
    keys = sorted(pools)
    total = k = 0
    while total < n_passages:
        lang, _script_name = keys[k % len(keys)]
        sents, vocab, weights = pools[(lang, _script_name)]
        cues, t = [], 0.0
        while t < PROGRAMME_S:
            text = _sentence(sents, vocab, weights, rng)
            end = t + WORD_S * len(text.split())
            cues.append(Cue(round(t, 2), round(end, 2), text))
            t = end + PAUSE_S
        p = _programme(k, seed, lang, cues)
        total += p.passages
        k += 1
        yield p


def real_programmes(n_passages: int, seed: int, source: str) -> Iterator[Programme]:
    """Half-hour programmes of real broadcast sentences until they hold n_passages passages: the news programmes of
    SpeechTopSeg's train lists (Euronews in six languages, Tagesschau; a fetched copy, never committed), in a random
    order, each appended whole, with its own sentence times, to the next programme of its language. Past the end of
    the lists (about 170,000 passages) the programmes come again in another order, each with its sentences shuffled,
    so the passages are new but every sentence is said again elsewhere (a quote within one is then a tie, which the
    R@1 count accepts as the same words said)."""
    from bench.eval_chapters_real import SETS, data_root, programme  # deferred: only this corpus reads that data

    root = data_root(source)
    listed = [(name, i) for name in SETS for i in (root / name / "train.lst").read_text().split()]
    rng = random.Random(seed)
    open_: dict[str, tuple[list[Cue], float]] = {}  # language -> (cues so far, where the next programme starts)
    total = k = again = 0
    while total < n_passages:
        rng.shuffle(listed)
        for name, i in listed:
            real = programme(root / name / "json" / f"{i}.json", f"{name}/{i}", SETS[name], "train")
            if real is None:
                continue
            lang = real.language
            cues, at = open_.get(lang, ([], 0.0))
            if again:  # the sentences in another order, each keeping its length
                for s in rng.sample(real.transcript.segments, len(real.transcript.segments)):
                    cues.append(Cue(round(at, 2), round(at + s.end - s.start, 2), s.text))
                    at += s.end - s.start + PAUSE_S
            else:
                cues += [Cue(round(at + s.start, 2), round(at + s.end, 2), s.text) for s in real.transcript.segments]
                at = max(at + real.duration, cues[-1].end) + PAUSE_S
            open_[lang] = (cues, at)
            if at < PROGRAMME_S:
                continue
            del open_[lang]
            made = _programme(k, seed, lang, cues)
            yield made
            total += made.passages
            k += 1
            if total >= n_passages:
                return
        again += 1


def _programme(k: int, seed: int, lang: str, cues: list[Cue]) -> Programme:
    vid = f"file:scale{seed}-{k:07d}"
    video = Video(id=vid, source=vid, title=f"Programme {k}", channel=f"ch{k % 7}",
                  published=f"20{20 + k % 6}-{1 + k % 12:02d}-{1 + k % 28:02d}", language=lang)
    tr = from_cues(vid, cues, language=lang, kind="file")
    return Programme(video, cues, tr, len(build_passages(tr)))


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    video_id: str
    start: float
    said: str = ""  # the words actually said there, normalised: the same words said elsewhere are right too


def _norm(text: str) -> str:
    return " ".join(t.key for t in tokenize_text(text))


def make_queries(progs: list[Programme], n: int, rng: random.Random) -> list[Query]:
    out: list[Query] = []
    for k in range(n):
        p = rng.choice(progs)
        words = p.transcript.words
        kind = KINDS[k % len(KINDS)]
        length = rng.randint(6, 14)
        i = rng.randrange(len(words) - length)
        quote = [w.text.strip(".,!?;:") for w in words[i:i + length]]
        other = [w.text.strip(".,!?;:") for w in rng.choice(progs).transcript.words[:400]]
        j = rng.randrange(1, length - 1)
        if kind == "replace1":
            quote[j] = rng.choice(other)
        elif kind == "replace2":
            quote[j] = rng.choice(other)
            quote[rng.randrange(1, length)] = rng.choice(other)
        elif kind == "drop1":
            del quote[j]
        elif kind == "add1":
            quote.insert(j, rng.choice(other))
        elif kind == "swap":
            quote[j], quote[j + 1] = quote[j + 1], quote[j]
        said = _norm(" ".join(w.text for w in words[i:i + length]))
        out.append(Query(kind, " ".join(quote), p.video.id, words[i].start, said))
    for _ in range(n):
        cue = rng.choice(rng.choice(progs).cues)
        cue_words = [w.strip(".,!?;:") for w in cue.text.split()]
        out.append(Query("keyword", " ".join(rng.sample(cue_words, min(len(cue_words), rng.randint(1, 3)))), "", 0.0))
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def run_queries(ix: PassageIndex, queries: list[Query], languages: list[str] | None = None
                ) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"quote": [], "keyword": [], "quote cpu": [], "keyword cpu": [], "found": [],
                                     "strict": [], "timed_out": []}
    for q in queries:
        mode = "keyword" if q.kind == "keyword" else "quote"
        t0, c0 = time.perf_counter(), time.thread_time()
        r = ix.search(q.text, mode=mode, languages=languages)
        times[mode].append(time.perf_counter() - t0)
        times[f"{mode} cpu"].append(time.thread_time() - c0)
        times["timed_out"].append(float(r.timed_out))
        if mode == "quote":
            top = r.hits[0] if r.hits else None
            there = bool(top and top.video_id == q.video_id and abs(top.start - q.start) <= 3)
            times["found"].append(float(there or bool(top and _norm(top.text) == q.said)))
            times["strict"].append(float(there))
    return times


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def ingest_through_service(svc: Clipindex, progs: list[Programme], work: Path) -> tuple[int, float]:
    """Caption files ingested one by one through the service (every step); (passages, seconds)."""
    files = []
    for p in progs:
        f = work / f"{p.video.id.split(':')[1]}.srt"
        f.write_text(write_srt(p.cues), encoding="utf-8")
        files.append((f, p.video.language))
    t0 = time.perf_counter()
    for f, lang in files:
        list(svc.ingest(str(f), IngestOptions(language=lang)))
    svc.index.flush()
    return sum(p.passages for p in progs), time.perf_counter() - t0


def index_steps(ix: PassageIndex, progs: list[Programme], batched: bool) -> tuple[int, float, float]:
    """What the ingest chain's index step does, video after video: a commit each (`add`, the step before batching)
    or batched (`enqueue`, then the last batch's commit); (passages, seconds, seconds from the last video's step
    until another process's searcher sees it)."""
    t0 = time.perf_counter()
    for p in progs:
        (ix.enqueue if batched else ix.add)(p.video, p.transcript, [])
    done = time.perf_counter()
    other = type(ix)(ix.path)  # another process's view: it sees only what is committed
    last = progs[-1].video.id
    while not other.passage_count(last):
        time.sleep(0.02)
    return sum(p.passages for p in progs), time.perf_counter() - t0, time.perf_counter() - done


def add_segments(ix: PassageIndex, progs: list[Programme], procs: int) -> None:
    """Whoosh only: the programmes' passages written by Whoosh's multi-process writer as new segments, nothing
    merged (`add_many` merges by the tiered policy, and Whoosh merges at about 100 passages/s: a million passages
    loaded that way would take most of a day here). The passages are the index's own (`passages.documents`)."""
    from whoosh.writing import NO_MERGE

    from indexer.search.passages import documents

    w = ix._index().writer(procs=procs, multisegment=True, limitmb=256)
    for p in progs:
        for doc in documents(p.video, p.transcript, []):
            w.add_document(**doc)
    w.commit(mergetype=NO_MERGE)


def take(gen: Iterator[Programme], passages: int) -> list[Programme]:
    out: list[Programme] = []
    while sum(p.passages for p in out) < passages:
        nxt = next(gen, None)
        if nxt is None:
            break
        out.append(nxt)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=10_000)
    ap.add_argument("--bulk-segment", type=int, default=0, metavar="N",
                    help="Whoosh: bulk-load by Whoosh's multi-process writer, N passages a commit, no merges (for a "
                         "million passages)")
    ap.add_argument("--bulk-procs", type=int, default=2, help="processes for --bulk-segment")
    ap.add_argument("--step-passages", type=int, default=1000,
                    help="the last ones go in video by video through the index step, twice as many: half with a "
                         "commit per video, half batched")
    ap.add_argument("--service-passages", type=int, default=0,
                    help="and then these through the whole service (every ingest step: chapters included)")
    ap.add_argument("--queries", type=int, default=300, help="quotes, and as many keyword queries")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--languages", metavar="CODES",
                    help="read each query in these languages too, comma-separated, as the search service reads it in "
                         "its archive's languages (default: en, ru and uz, as without a store)")
    ap.add_argument("--backend", choices=SEARCH_BACKENDS, default="whoosh", help="the search index backend")
    ap.add_argument("--warm", action="store_true",
                    help="run every query once before the timed run (caches hold every term the queries read)")
    ap.add_argument("--parse-postings", action="store_true",
                    help="Whoosh: ignore the decoded posting files and parse Whoosh's blocks (the code before them)")
    ap.add_argument("--profile", action="store_true", help="cProfile the queries and print the top functions")
    ap.add_argument("--diagnose", action="store_true",
                    help="for each quote not found at rank 1: its candidates, where the true passage was, and why")
    ap.add_argument("--sentences", metavar="SPEECHTOPSEG",
                    help="programmes of real broadcast sentences from a fetched SpeechTopSeg copy (checkout or bare "
                         "git dir; its train lists) instead of made ones")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="build into DIR and keep it there (index, queries, load figures) for --reuse")
    ap.add_argument("--reuse", type=Path, metavar="DIR", help="search the index and queries --keep left in DIR")
    args = ap.parse_args()
    if args.bulk_segment and args.backend != "whoosh":
        ap.error("--bulk-segment is for the Whoosh backend (tantivy's add_many does not merge)")
    load0 = os.getloadavg()
    data = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="clipindex-scale-"))
    try:
        report(args, data, load0)
    finally:
        if not (args.reuse or args.keep):
            shutil.rmtree(data, ignore_errors=True)


def report(args: argparse.Namespace, data: Path, load0: tuple[float, float, float]) -> None:
    if args.reuse:
        kept = json.loads((data / "scale.json").read_text(encoding="utf-8"))
        if kept["backend"] != args.backend:
            raise SystemExit(f"{data} holds a {kept['backend']} index: add --backend {kept['backend']}")
        ix = open_index(index_dir(data, args.backend), args.backend)
        lines = [f"(reused from {data}) {line}" for line in kept["lines"]]
        queries = [Query(**q) for q in kept["queries"]]
        measure(args, ix, kept["passages"], lines, queries, load0)
        return
    ix, bulk, lines, queries = build(args, data)
    if args.keep:
        (data / "scale.json").write_text(json.dumps(
            {"backend": args.backend, "passages": bulk, "lines": lines,
             "queries": [q.__dict__ for q in queries]}, ensure_ascii=False), encoding="utf-8")
    measure(args, ix, bulk, lines, queries, load0)


def build(args: argparse.Namespace, data: Path) -> tuple[PassageIndex, int, list[str], list[Query]]:
    """The corpus made and loaded; (the index, passages, what the loading measured, the queries)."""
    rng = random.Random(args.seed + 1)
    gen = (real_programmes(args.passages, args.seed, args.sentences) if args.sentences
           else programmes(args.passages, args.seed))
    svc = Clipindex(Settings(data_dir=data, search_backend=args.backend).resolved())
    ix = open_index(index_dir(svc.settings.data_dir, args.backend), args.backend)
    pool: list[Programme] = []  # the programmes queries are taken from (all of them would not fit in memory)
    bulk, gen_s, bulk_s = 0, 0.0, 0.0
    tails = 2 * args.step_passages + args.service_passages
    while bulk < args.passages - tails:
        t0 = time.perf_counter()
        chunk = take(gen, min(args.bulk_segment or 10_000, args.passages - tails - bulk))
        t1 = time.perf_counter()
        if args.bulk_segment:
            add_segments(ix, chunk, args.bulk_procs)
        else:
            ix.add_many((p.video, p.transcript, []) for p in chunk)
        gen_s, bulk_s = gen_s + t1 - t0, bulk_s + time.perf_counter() - t1
        bulk += sum(p.passages for p in chunk)
        pool += rng.sample(chunk, min(len(chunk), 20))
    how = (f"Whoosh's writer in {args.bulk_procs} processes, a segment each per {args.bulk_segment:,} passages, no "
           f"merges" if args.bulk_segment else "add_many, one commit per 10,000 passages")
    lines = [f"corpus: real news sentences from {args.sentences}" if args.sentences else
             "corpus: made sentences (bench/data/search/stories.json recombined)",
             f"bulk load through the index ({how}): {bulk} passages, "
             f"{bulk / max(bulk_s, 1e-9):.0f}/s (generated in {gen_s:.0f} s)"]
    for batched in (False, True):
        progs = take(gen, args.step_passages)
        if not progs or (batched and not hasattr(ix, "enqueue")):
            continue
        n, secs, seen = index_steps(ix, progs, batched)
        pool += progs
        how = "batched commits (enqueue)" if batched else "a commit per video (add)"
        lines.append(f"index step, video by video, {how}, at {bulk} passages and up: {n} passages in {secs:.1f} s ="
                     f" {n / secs:.0f} passages/s; the last video searchable by another process {seen:.2f} s after"
                     f" its step")
        bulk += n
    if args.service_passages:
        progs = take(gen, args.service_passages)
        caps = data / "captions"
        caps.mkdir()
        n, secs = ingest_through_service(svc, progs, caps)
        pool += progs
        lines.append(f"caption ingest through the service (every step), at {bulk} passages and up: {n} passages in "
                     f"{secs:.1f} s = {n / secs:.1f} passages/s")
        bulk += n
    return ix, bulk, lines, make_queries(pool, args.queries, rng)


def whoosh_postings(ix: PassageIndex, parse: bool) -> str:
    """Whoosh: the large segments' postings decoded to disk now (as the child process after a commit does), timed;
    or, with `parse`, the decoded files ignored. Says which."""
    from indexer.search import whoosh_decoded, whoosh_merge  # deferred: the Whoosh backend's, for Whoosh runs only

    folder = Path(ix._index().storage.folder)  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    whoosh_merge.wait_children(timeout=3600)  # mergers the load's commits started: the timed run waits for them
    merged = time.perf_counter() - t0
    if parse:
        whoosh_decoded.MIN_DOCS = sys.maxsize  # no segment is large enough: every list parsed, as before
        return "posting lists parsed from Whoosh's blocks (--parse-postings: the decoded files ignored)"
    t0 = time.perf_counter()
    whoosh_decoded.wait_children(timeout=3600)  # and the decoders
    n = whoosh_decoded.decode_missing(folder, wait=True)
    secs = time.perf_counter() - t0
    mb = sum(p.stat().st_size for p in folder.glob(f"*{whoosh_decoded.SUFFIX}")) / 1e6
    return (f"posting lists decoded beside the segments of {whoosh_decoded.MIN_DOCS:,} passages or more: {mb:.0f} MB"
            f" in all; before the timed run, {merged:.1f} s waiting for the mergers, {secs:.1f} s for the decoders and"
            f" decoding {n} segments")


def measure(args: argparse.Namespace, ix: PassageIndex, bulk: int, lines: list[str], queries: list[Query],
            load0: tuple[float, float, float]) -> None:
    if args.backend == "whoosh":
        lines = lines + [whoosh_postings(ix, args.parse_postings)]
    size = dir_mb(ix.path)
    # open the searcher; with --warm, every query once first (a long-running server that has read its terms)
    languages = args.languages.split(",") if args.languages else None
    run_queries(ix, queries if args.warm else queries[:5] + queries[-5:], languages)
    prof = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    times = run_queries(ix, queries, languages)
    if prof:
        prof.disable()
    query_s = time.perf_counter() - t0
    print(f"# search at scale on {args.backend}, {date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}, seed {args.seed}; load average at start {load0}, at end {os.getloadavg()}")
    print(f"{bulk} passages; index {size:.0f} MB ({size * 1e6 / max(bulk, 1):.0f} bytes/passage)")
    print("\n".join(lines))
    for mode in ("keyword", "quote", "keyword cpu", "quote cpu"):
        ms = [1000 * x for x in times[mode]]
        print(f"{mode}: {len(ms)} queries, p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f}"
              f" ms, max {max(ms):.0f} ms")
    print("(cpu: the searching thread's CPU time, which other work on the machine disturbs less than wall time)")
    found = times["found"]
    print(f"quote R@1 {sum(found) / len(found):.3f} ({int(sum(found))}/{len(found)}; in the very place: "
          f"{sum(times['strict']) / len(found):.3f}); timed out {int(sum(times['timed_out']))}; all queries "
          f"{query_s:.1f} s")
    by_kind: dict[str, list[float]] = {}
    for q, ok in zip([q for q in queries if q.kind != "keyword"], found):
        by_kind.setdefault(q.kind, []).append(ok)
    print("R@1 by kind: " + ", ".join(f"{k} {sum(v) / len(v):.2f}" for k, v in by_kind.items()))
    if args.backend == "whoosh":
        from indexer.search.whoosh_arrays import CACHE

        print(f"memory: Whoosh's posting cache {CACHE.nbytes / 1e6:.0f} MB (bound {CACHE.max_bytes / 1e6:.0f} MB); "
              f"this process's peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.diagnose:
        diagnose(ix, [q for q, ok in zip([q for q in queries if q.kind != "keyword"], found) if not ok])
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    bulk_mode = f" --bulk-segment {args.bulk_segment} --bulk-procs {args.bulk_procs}" if args.bulk_segment else ""
    passages = bulk if args.reuse else args.passages
    corpus = f" --sentences {args.sentences}" if args.sentences else ""
    print(f"reproduce: .venv/bin/python bench/search_scale.py --passages {passages} --queries {args.queries} "
          f"--seed {args.seed} --step-passages {args.step_passages} --service-passages {args.service_passages} "
          f"--backend {args.backend}{bulk_mode}{corpus}" + (f" (built with --keep, searched with --reuse {args.reuse})"
                                                              if args.reuse else ""))


if __name__ == "__main__":
    main()
