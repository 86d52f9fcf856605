"""The one text layer: normalising, tokenising, stop words and the word aligner.

Search, chapters and quote checks all read text through these modules, so a word means the same thing everywhere:

- `normalize`: the one tokeniser (`tokenize`, `Token`): folding, apostrophes, bigrams for spaceless scripts;
- `numbers`: number words (English, Russian, Uzbek, German, French, Spanish, Turkish, Arabic) and digit
  groups, as digits;
- `translit`: the apostrophe letters, Cyrillic -> Latin, the coarse Latin key;
- `variants`: written variants folded where two texts must agree (contractions, spelling), per language;
- `stopwords`: function words per language, for chapter titles and language detection;
- `language`: which language a text is in, by script and stop words;
- `align`: the word aligner, for search and quote checks; `locate`: a quote located in a passage's words;
- `polarity`: negation words and negative affixes, per language;
- `analyzer`: the tokeniser as a Whoosh analyzer (kept apart: only search needs Whoosh).

Imports go translit <- numbers, variants <- normalize <- stopwords <- language, and normalize <- align <- locate,
analyzer.
"""
