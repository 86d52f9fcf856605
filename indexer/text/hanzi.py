"""Traditional Chinese characters folded to Simplified, so that the two scripts meet in search and in quote checks:
a Taiwanese or Hong Kong report writes "臺灣的經濟", a mainland one and most recognisers "台湾的经济", and a quote
typed in the one script found nothing said in the other.

The table is OpenCC's character table (TSCharacters.txt, Apache-2.0), read from the `opencc-python-reimplemented`
package's data; its converter is not used (it is a character table: a character with several simplified forms takes
the first, which both sides of a comparison then share). Without the package nothing is folded.
"""

from __future__ import annotations

import importlib.metadata
import logging
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "opencc-python-reimplemented"
TABLE = "opencc/dictionary/TSCharacters.txt"


def simplified_table() -> dict[str, str]:
    """Each Traditional character -> the Simplified one it folds to; empty where the package is missing."""
    try:
        text = Path(str(importlib.metadata.distribution(PACKAGE).locate_file(TABLE))).read_text(encoding="utf-8")
    except (importlib.metadata.PackageNotFoundError, OSError) as err:
        log.warning("Traditional and Simplified Chinese are searched apart: %s (%s)", PACKAGE, err)
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        first = targets.split(" ", 1)[0]
        if len(source) == 1 and len(first) == 1 and first != source:
            out[source] = first
    return out
