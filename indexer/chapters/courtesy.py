"""A programme's courtesies: what its presenters say to open and close it, which is no headline.

Real news programmes open with a greeting and a station line and close with thanks: 5 of 8 Spanish Euronews
programmes of a development list had their first chapter titled "Bienvenidos a Euronews hoy", every Tagesschau its
"Erste Deutsche Fernsehen mit der Tagesschau", and the last chapter "Hasta aquí hemos llegado en Euronews hoy".
Chapter titles (indexer.chapters.titles) read these sentences last and cut no title from these words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.text import presenter, stopwords
from indexer.text.normalize import fold

COURTESY_OPENING = 3  # a courtesy phrase counts where it starts among a sentence's first this many words
OPENING = 5  # the programme's names are said in a greeting among its first this many sentences
STATION_WORDS = 12  # a greeting names the programme in this many words; a sentence as short naming it is a station
# line, and a greeting as short is a courtesy throughout (a longer one goes on to tell the news)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class Courtesy:
    """The courtesies of one programme, given as its chapters' sentences in the transcript's language.

    A greeting opens, within its first COURTESY_OPENING words, with a greeting, a welcome, thanks or a
    see-you-tomorrow of the language (indexer.text.presenter.courtesies: "Hola, bienvenidos a Euronews hoy",
    "Thank you very much"). The programme's names are the words capitalised in the first words of a greeting that
    opens it, neither a greeting's word nor a function word ("Tagesschau" of "Guten Abend, meine Damen und Herren,
    ich begrüße Sie zur Tagesschau"; not "Tel Aviv" of the greeting to a correspondent there, later on, nor "Boris
    Johnson" of a long greeting that goes on to tell the news); a station line is a short sentence that says one
    ("Hier ist das Erste Deutsche Fernsehen mit der Tagesschau", "Juan Carlos de Santos, desde Madrid, para
    Euronews"). Nothing is a courtesy in a language without a list.
    """

    def __init__(self, chapters: Sequence[Sequence[str]], language: str | None) -> None:
        self.phrases = [p.split() for p in presenter.courtesies(language)]
        self.lines = [p.split() for p in presenter.programme_lines(language)]
        self.sections = [p.split() for p in presenter.section_lines(language)]
        polite = {w for p in self.phrases for w in p} | stopwords.stop_words(language)
        words = [[_WORD.findall(s) for s in sentences] for sentences in chapters]
        greets = [[self._greets(raw) for raw in row] for row in words]
        opening = [(raw, g) for row, flags in zip(words, greets) for raw, g in zip(row, flags)][:OPENING]
        self.names = {fold(w) for raw, g in opening if g for w in raw[1:STATION_WORDS]
                      if w[:1].isupper() and len(w) > 2 and "'" not in fold(w) and fold(w) not in polite}
        # per chapter, which sentences are courtesies throughout: short greetings and station lines
        # programme lines of any length: what follows one is the programme's plan, a list of its channels or a
        # story's first words cut from the sentence that holds them ("Les presentamos ... y comenzamos con ...")
        self.sentences = [[(len(raw) <= STATION_WORDS and (g or self._names(raw))) or self._opens(raw, self.lines)
                           for raw, g in zip(row, flags)] for row, flags in zip(words, greets)]

    def announces(self, sentence: str) -> bool:
        """Whether a sentence opens with what a presenter says to open the programme's next part ("Und nun die
        Wettervorhersage für morgen": presenter.section_lines)."""
        folded = [fold(w) for w in _WORD.findall(sentence)]
        return any(folded[:len(p)] == p for p in self.sections)

    def said(self, text: str) -> bool:
        """Whether a run of words (a title) greets, names the programme or leads into it (a programme line)."""
        raw = _WORD.findall(text)
        return self._greets(raw) or self._names(raw) or self._opens(raw, self.lines)

    def _names(self, raw: Sequence[str]) -> bool:
        return any(fold(w) in self.names for w in raw)

    def _greets(self, raw: Sequence[str]) -> bool:
        """Whether words open with one of the courtesy phrases (where a phrase is a word of a script written without
        spaces, the sentence's word may go on past it: "欢迎收看新闻联播")."""
        return self._opens(raw, self.phrases)

    @staticmethod
    def _opens(raw: Sequence[str], phrases: Sequence[Sequence[str]]) -> bool:
        """Whether one of `phrases` starts among the first COURTESY_OPENING words."""
        folded = [fold(w) for w in raw[:COURTESY_OPENING + 3]]
        for p in phrases:
            for i in range(min(COURTESY_OPENING, len(folded))):
                if folded[i:i + len(p)] == p or len(p) == 1 and p[0] >= "\u3040" and folded[i].startswith(p[0]):
                    return True
        return False
