"""How well each way of stemming joins a word's inflected forms, and keeps other words apart, per language.

Keyword search meets a query's word in a transcript's other forms of it only through the stem both are given
(indexer.text.stems.stem): Ukrainian "Україна", "України", "Україні" are one word to a reader. This measures that
on Universal Dependencies treebanks, where every token carries its lemma: fetch them (their licences differ, mostly
CC BY-SA; nothing of them is in this repository), e.g. with the workplace's fetch tool, github:UniversalDependencies/
UD_Ukrainian-IU, into one folder, and give the folder.

  .venv/bin/python bench/eval_stems.py /work/.mirror            # every treebank found there: dev and test lists
  .venv/bin/python bench/eval_stems.py /work/.mirror --languages uk,pl

Measure. Every content token (noun, proper noun, verb, adjective, adverb) of a list, as the index's tokeniser
writes it (case- and accent-folded, apostrophes unified), is a query: the tokens of its lemma are what it should
find, the tokens of its stem what it does find. Precision and recall are averaged over the tokens (a frequent word
counts as often as it is said), and F1 is taken of the two; "forms" is the share of a lemma's other forms that the
stem joins (recall over pairs of distinct forms, which whole-word matching never finds). Ways: whole words (no
stemming); the first N letters (letters only are counted: an apostrophe inside a word is kept); the Snowball
stemmer of the `snowballstemmer` package, where it has one for the language (an algorithm of another, close
language is marked with its name); the first 6 or 7 letters once the word's final vowels are taken off; and what
clipindex does now, whose index holds a word's shorter stems beside its stem in some languages (a query token's stem
then finds a token whose stem or shorter stem it is). The way with the best F1 on the dev list (the
train list where there is no dev list, as for Kazakh; a fetched mirror may leave the largest lists out) is the one
to choose; the test list says how it holds. A treebank of one list (Uzbek's and Hindi's test list, Latvian's dev
list as fetched) is scored on it twice: a choice made there is not held out.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.text.normalize import tokenize  # noqa: E402
from indexer.text.stems import (  # noqa: E402
    PREFIX_STEMS,
    SHORTER_STEMS,
    VOWEL_ENDINGS,
    first_letters,
    shorter_stems,
    stem,
    without_final_vowels,
)

TREEBANKS = {  # language -> Universal Dependencies treebank (the ISO code Whisper uses)
    "uk": "UD_Ukrainian-IU", "be": "UD_Belarusian-HSE", "bg": "UD_Bulgarian-BTB", "pl": "UD_Polish-PDB",
    "cs": "UD_Czech-CAC", "sk": "UD_Slovak-SNK", "sl": "UD_Slovenian-SSJ", "hr": "UD_Croatian-SET",
    "sr": "UD_Serbian-SET", "tr": "UD_Turkish-IMST", "kk": "UD_Kazakh-KTB", "uz": "UD_Uzbek-UT",
    "ca": "UD_Catalan-AnCora", "el": "UD_Greek-GDT", "id": "UD_Indonesian-GSD", "lt": "UD_Lithuanian-ALKSNIS",
    "et": "UD_Estonian-EDT", "hy": "UD_Armenian-ArmTDP", "eu": "UD_Basque-BDT", "fa": "UD_Persian-Seraji",
    "hi": "UD_Hindi-PUD", "lv": "UD_Latvian-LVTB", "ru": "UD_Russian-GSD", "de": "UD_German-GSD",
}
CONTENT = {"NOUN", "PROPN", "VERB", "ADJ", "ADV"}
PREFIXES = (4, 5, 6, 7, 8)
# Snowball algorithms (snowballstemmer's names) for a language, and for a close one where it has none of its own
SNOWBALL = {"cs": "czech", "pl": "polish", "sr": "serbian", "hr": "serbian", "bs": "serbian", "tr": "turkish",
            "ru": "russian", "de": "german", "ca": "catalan", "el": "greek", "id": "indonesian", "lt": "lithuanian",
            "et": "estonian", "hy": "armenian", "eu": "basque", "fa": "persian", "hi": "hindi"}


def treebank_text(folder: Path, name: str, split: str) -> str | None:
    """A treebank list's CoNLL-U text, from a checked-out folder or a git mirror (owner+name/repo, no work tree)."""
    for base in (folder / name, folder / f"UniversalDependencies+{name}" / "repo"):
        if not base.exists():
            continue
        files = [p.name for p in base.glob(f"*-ud-{split}.conllu")]
        if files:
            return (base / files[0]).read_text(encoding="utf-8")
        listing = subprocess.run(["git", "--git-dir", str(base), "ls-tree", "--name-only", "HEAD"],
                                 capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            if line.endswith(f"-ud-{split}.conllu"):
                shown = subprocess.run(["git", "--git-dir", str(base), "show", f"HEAD:{line}"],
                                       capture_output=True, text=True)
                return shown.stdout if shown.returncode == 0 else None  # a mirror may leave its largest files out
    return None


def content_tokens(conllu: str, language: str) -> list[tuple[str, str]]:
    """(form, lemma) of every content token, each as the index's tokeniser writes it (folded, apostrophes unified);
    words it reads as more than one token, or as digits, are left out. Multi-word tokens' parts count, their joined
    form not."""
    out = []
    for line in conllu.splitlines():
        cols = line.split("\t")
        if len(cols) < 4 or not cols[0].isdigit() or cols[3] not in CONTENT or cols[2] in ("", "_"):
            continue
        form, lemma = tokenize([cols[1]], language), tokenize([cols[2]], language)
        if len(form) == 1 and len(lemma) == 1 and len(form[0].text) > 1 and any(c.isalpha() for c in form[0].text):
            out.append((form[0].text, lemma[0].text))
    return out


def score(tokens: list[tuple[str, str]], way: Callable[[str], str],
          also: Callable[[str], list[str]] = lambda _stem: []) -> dict[str, float]:
    """`way`: a token's stem, which a query's token is searched by; `also`: the other terms a stem is indexed with
    (a token is found where its stem or one of those is the query token's stem)."""
    stems = {form: way(form) for form in {f for f, _ in tokens}}
    terms = {form: {s, *also(s)} for form, s in stems.items()}
    by_term: Counter[str] = Counter(t for f, _ in tokens for t in terms[f])
    by_lemma: Counter[str] = Counter(lemma for _, lemma in tokens)
    both: Counter[tuple[str, str]] = Counter((t, lemma) for f, lemma in tokens for t in terms[f])
    n = len(tokens)
    precision = sum(both[(stems[f], lm)] / by_term[stems[f]] for f, lm in tokens) / n
    recall = sum(both[(stems[f], lm)] / by_lemma[lm] for f, lm in tokens) / n
    forms: dict[str, set[str]] = defaultdict(set)
    for f, lemma in tokens:
        forms[lemma].add(f)
    pairs = joined = 0
    for fs in forms.values():
        ordered = sorted(fs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs += 1
                joined += stems[a] in terms[b] or stems[b] in terms[a]
    return {"p": precision, "r": recall, "f1": 2 * precision * recall / (precision + recall),
            "forms": joined / pairs if pairs else 0.0}


def ways(language: str) -> dict[str, Callable[[str], str]]:
    out: dict[str, Callable[[str], str]] = {"whole words": lambda w: w}
    out.update({f"first {n}": (lambda w, n=n: first_letters(w, n)) for n in PREFIXES})
    algorithm = SNOWBALL.get(language)
    if algorithm:
        try:
            import snowballstemmer  # deferred: only for the comparison
        except ImportError:
            pass
        else:
            stemmer = snowballstemmer.stemmer(algorithm)
            out[f"snowball {algorithm}"] = stemmer.stemWord
    out["final vowels off, first 6"] = lambda w: first_letters(without_final_vowels(w), 6)
    out["final vowels off, first 7"] = lambda w: first_letters(without_final_vowels(w), 7)
    return out


def clipindex_now(language: str) -> tuple[Callable[[str], str], Callable[[str], list[str]]]:
    """What the index does: each token's stem, and the shorter stems indexed beside it."""
    return (lambda w: stem(w, language)), (lambda s: shorter_stems(s, language))


def report(folder: Path, languages: Iterable[str]) -> None:
    print(f"# bench/eval_stems.py  {time.strftime('%Y-%m-%d')}  {platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}")
    print("| language (tokens dev / test) | way | dev P / R / F1 / forms | test P / R / F1 / forms |")
    print("|---|---|---|---|")
    for language in languages:
        lists = {split: treebank_text(folder, TREEBANKS[language], split) for split in ("dev", "train", "test")}
        fit_text = lists["dev"] or lists["train"]
        test_text = lists["test"] or lists["dev"]
        if test_text is None:
            print(f"| {language} | (no treebank {TREEBANKS[language]} under {folder}) | | |")
            continue
        test = content_tokens(test_text, language)
        fit = content_tokens(fit_text, language) if fit_text and fit_text is not test_text else test  # one list alone
        scores = {name: (score(fit, fn), score(test, fn)) for name, fn in ways(language).items()}
        now, also = clipindex_now(language)
        scores["clipindex now"] = (score(fit, now, also), score(test, now, also))
        best = max((k for k in scores if k != "clipindex now"), key=lambda k: scores[k][0]["f1"])
        label = f"{language} ({len(fit)} / {len(test)}{'' if fit is not test else ', one list for both'})"
        for name, (tr, te) in scores.items():
            mark = " **best on dev**" if name == best else ""
            print(f"| {label} | {name}{mark} | {tr['p']:.3f} / {tr['r']:.3f} / {tr['f1']:.3f} / {tr['forms']:.3f} "
                  f"| {te['p']:.3f} / {te['r']:.3f} / {te['f1']:.3f} / {te['forms']:.3f} |")
            label = ""
    print(f"\nclipindex now: prefix stems {sorted(PREFIX_STEMS.items())}; final vowels off first in "
          f"{sorted(VOWEL_ENDINGS)}; shorter stems indexed from {sorted(SHORTER_STEMS.items())} letters")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="where the treebanks were fetched (UD_* folders or git mirrors)")
    ap.add_argument("--languages", default=",".join(TREEBANKS))
    args = ap.parse_args()
    unknown = [x for x in args.languages.split(",") if x not in TREEBANKS]
    if unknown:
        sys.exit(f"no treebank known for {unknown}; known: {', '.join(TREEBANKS)}")
    report(args.folder, args.languages.split(","))


if __name__ == "__main__":
    main()
