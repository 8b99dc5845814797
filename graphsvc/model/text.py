"""Text normalisation shared by sorting and search: case- and accent-insensitive.

``fold("Arbetsförmedlingen")`` and ``fold("ARBETSFORMEDLINGEN")`` are equal; ``tokens`` splits folded
text into words (letters and digits of any script).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "sort_key", "tokens"]

_WORD = re.compile(r"\w+")
# letters that NFKD does not decompose into a base letter plus a mark
_EXTRA = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})


def fold(text: str) -> str:
    """Lower-case text without accents: ``"Pôle Emploi"`` -> ``"pole emploi"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_EXTRA)


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


def tokens(text: str) -> list[str]:
    """The folded words of ``text``, in order (a word is a run of letters, digits or ``_``)."""
    return [_fold_word(w) for w in _WORD.findall(text)]


def sort_key(text: str) -> str:
    """A key that sorts titles as a reader expects: accents and case ignored."""
    return " ".join(tokens(text))
