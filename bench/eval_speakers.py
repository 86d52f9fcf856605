"""Who said each quote, in every language the project's articles come in: the speaker found against the true one.

Run:  .venv/bin/python bench/eval_speakers.py

The paragraphs are the project's own (bench/data/articles/speakers.json), written for this evaluation in 14
languages: attributions after the quote and before it, compound tenses, roles with and without a name, pronouns that
refer back, scripts without capitals (Arabic, Persian, Chinese, Japanese), and paragraphs that name no speaker. Each
paragraph is read as an article's is (indexer.articles.load: quotes in order, a pronoun's speaker carried from the
quote before). Prints the share right per language and in all, and each miss. A speaker with a title or role before
the name counts as right either way ("Mayor Alice Grant" for "Alice Grant"). `--data FILE` reads other paragraphs
in the same format.
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
    try:
        from indexer.articles.quotes import speakers_of
    except ImportError:  # an older checkout, for its numbers: each quote alone, a pronoun's speaker carried
        out: list[str | None] = []
        previous: str | None = None
        extra = {"language": language} if "language" in inspect.signature(attribute).parameters else {}
        for q in find_quotes(text):
            if q.depth == 0:
                out.append(attribute(text, q, previous, **extra))
                previous = out[-1] or previous
        return out
    return speakers_of(text, find_quotes(text), language=language)


def same(got: str | None, truth: str | None) -> bool:
    """Right: the same words, or the same with a title or role of up to two words before the name, on either side
    ("Mayor Alice Grant" for "Alice Grant"; without spaces, up to four characters: "王海" for "发言人王海")."""
    if got is None or truth is None:
        return got == truth
    short, long = sorted((got, truth), key=len)
    if short == long:
        return True
    if " " in long:
        return long.endswith(" " + short) and len(long.split()) - len(short.split()) <= 2
    return long.endswith(short) and len(long) - len(short) <= 4


def main() -> None:
    data = Path(sys.argv[sys.argv.index("--data") + 1]) if "--data" in sys.argv else DATA
    cases = json.loads(data.read_text(encoding="utf-8"))["cases"]
    right: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for case in cases:
        got = speakers(case["text"], case["language"])
        for k, want in enumerate(case["speakers"]):
            ok = k < len(got) and same(got[k], want)
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
