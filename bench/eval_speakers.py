"""Who said each quote, in every language the project's articles come in: the speaker found against the true one.

Run:  .venv/bin/python bench/eval_speakers.py

The paragraphs are the project's own (bench/data/articles/speakers.json), written for this evaluation in 14
languages: attributions after the quote and before it, compound tenses, roles with and without a name, pronouns that
refer back, scripts without capitals (Arabic, Persian, Chinese, Japanese), and paragraphs that name no speaker. Each
paragraph is read as an article's is (indexer.articles.load: quotes in order, a pronoun's speaker carried from the
quote before). Prints the share right per language and in all, and each miss.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.articles.quotes import attribute, find_quotes  # noqa: E402

DATA = ROOT / "bench" / "data" / "articles" / "speakers.json"


def speakers(text: str, language: str) -> list[str | None]:
    """The speaker of each quote in the article's voice, as an article's paragraphs are read."""
    out: list[str | None] = []
    previous: str | None = None
    extra = {"language": language} if "language" in inspect.signature(attribute).parameters else {}
    for q in find_quotes(text):
        if q.depth == 0:
            who = attribute(text, q, previous, **extra)
            out.append(who)
            previous = who or previous
    return out


def main() -> None:
    cases = json.loads(DATA.read_text(encoding="utf-8"))["cases"]
    right: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for case in cases:
        got = speakers(case["text"], case["language"])
        for k, want in enumerate(case["speakers"]):
            ok = k < len(got) and got[k] == want
            right[case["language"]].append(ok)
            if not ok:
                misses.append(f"  {case['language']}: {got[k] if k < len(got) else 'no quote'!r} for {want!r} in "
                              f"{case['text'][:70]!r}")
    print("| language | quotes | speaker right |\n|---|---|---|")
    for lang, oks in right.items():
        print(f"| {lang} | {len(oks)} | {sum(oks)}/{len(oks)} |")
    every = [ok for oks in right.values() for ok in oks]
    print(f"| all | {len(every)} | {sum(every)}/{len(every)} = {sum(every) / len(every):.3f} |")
    if misses:
        print("misses:\n" + "\n".join(misses))


if __name__ == "__main__":
    main()
