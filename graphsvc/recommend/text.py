"""The text signal: which practices share the distinctive words of a practice's title and abstract.

A practice's terms are the words of its title and abstract in every language it has, with their
field-weighted frequencies, read from the read model's search postings
(:meth:`graphsvc.model.search.SearchIndex.document_terms`: a word in a title counts
:data:`~graphsvc.model.readmodel.TITLE_WEIGHT` times, in an abstract
:data:`~graphsvc.model.readmodel.BODY_WEIGHT` times); a source without a search index (tests,
the evaluation) gets the same words from the same tokenizer (:func:`graphsvc.model.text.tokens`)
and weights. Words of one or two characters and numbers are left out.

The *key terms* of a query are its :data:`KEY_TERMS` terms with the highest ``tf * idf``, where
``idf = log(1 + N / df)`` over the ``N`` practices, among the terms that at least one other
practice has and at most :data:`MAX_DF_SHARE` of them have (the rest are function words of some
language: "the", "de", "och"). The text similarity of a practice ``p`` is the idf-weighted share
of the key terms it has,

    ``sum(idf(t) for t in keys if t in p) / sum(idf(t) for t in keys)``, in [0, 1],

a TF-IDF overlap that needs no per-document norm, so an update touches only the practice's own
postings. The shared key terms are what the explanation shows.

Complexity: :meth:`TextIndex.similar` is O(sum of the posting lengths of the key terms), each at
most ``MAX_DF_SHARE * N``, one ``bincount``; an update is O(terms of the practice) plus the array
copy of each touched posting on its next read. Example::

    >>> ti = TextIndex()
    >>> ti.set_terms(0, {"jobcoach": 3.0, "lapland": 1.0}); ti.set_terms(1, {"jobcoach": 1.0})
    >>> ti.key_terms(ti.terms(0))
    ['jobcoach']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import cast

import numpy as np

from graphsvc.model.readmodel import BODY_WEIGHT, TITLE_WEIGHT
from graphsvc.model.records import Practice
from graphsvc.model.search import SearchIndex
from graphsvc.model.text import tokens
from graphsvc.recommend.adjacency import FloatArray, IntArray

__all__ = ["KEY_TERMS", "MAX_DF_SHARE", "TextIndex", "practice_terms"]

KEY_TERMS = 8
"""How many of a query's terms count."""

MAX_DF_SHARE = 0.05
"""A term more than this share of the practices has says nothing (at least 20 practices)."""

_MIN_MAX_DF = 20


def practice_terms(practice: Practice, search: object = None) -> dict[str, float]:
    """The weighted term frequencies of a practice's title and abstract (all languages), from
    ``search`` (a :class:`~graphsvc.model.search.SearchIndex`) when it holds the practice."""
    if isinstance(search, SearchIndex) and practice.iri in search:
        found = search.document_terms(practice.iri)
        return {w: tf for w, tf in found.items() if len(w) > 2 and not w.isdigit()}
    out: dict[str, float] = {}
    for weight, texts in ((TITLE_WEIGHT, practice.title), (BODY_WEIGHT, practice.abstract)):
        for text in texts.values():
            for word in tokens(text):
                if len(word) > 2 and not word.isdigit():
                    out[word] = out.get(word, 0.0) + weight
    return out


class TextIndex:
    """Term postings over practice ids; see the module docstring."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._words: list[str] = []
        self._postings: list[set[int]] = []
        self._arrays: dict[int, IntArray] = {}
        self._of: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {}

    def __len__(self) -> int:
        """How many practices have terms."""
        return len(self._of)

    def set_terms(self, practice: int, terms: Mapping[str, float]) -> None:
        """Make ``terms`` (word -> weighted frequency) the terms of ``practice`` (empty: none)."""
        new_ids = tuple(self._term_id(w) for w in sorted(terms))
        new_tf = tuple(terms[w] for w in sorted(terms))
        old_ids = self._of.get(practice, ((), ()))[0]
        for tid in set(old_ids) - set(new_ids):
            self._postings[tid].discard(practice)
            self._arrays.pop(tid, None)
        for tid in set(new_ids) - set(old_ids):
            self._postings[tid].add(practice)
            self._arrays.pop(tid, None)
        if new_ids:
            self._of[practice] = (new_ids, new_tf)
        else:
            self._of.pop(practice, None)

    def _term_id(self, word: str) -> int:
        tid = self._ids.get(word)
        if tid is None:
            tid = self._ids[word] = len(self._words)
            self._words.append(word)
            self._postings.append(set())
        return tid

    def terms(self, practice: int) -> dict[str, float]:
        ids, tfs = self._of.get(practice, ((), ()))
        return {self._words[t]: tf for t, tf in zip(ids, tfs, strict=True)}

    def df(self, word: str) -> int:
        tid = self._ids.get(word)
        return len(self._postings[tid]) if tid is not None else 0

    def idf(self, word: str) -> float:
        df = self.df(word)
        return math.log1p(len(self._of) / df) if df else 0.0

    def key_terms(self, terms: Mapping[str, float], *, own: bool = True) -> list[str]:
        """The :data:`KEY_TERMS` most distinctive of ``terms`` (``own``: the query practice is
        one of the documents, so a term needs a df of 2 to be shared), best first."""
        n = len(self._of)
        max_df = min(max(_MIN_MAX_DF, int(MAX_DF_SHARE * n)), n - 1)  # not in every one
        least = 2 if own else 1
        scored = []
        for word, tf in terms.items():
            df = self.df(word)
            if least <= df <= max_df:
                scored.append((-tf * math.log1p(n / df), word))
        scored.sort()
        return [w for _, w in scored[:KEY_TERMS]]

    def similar(self, keys: Iterable[str], size: int) -> FloatArray:
        """Dense text similarity in [0, 1] over ids ``0..size-1`` for the key terms ``keys``."""
        postings: list[IntArray] = []
        weights: list[float] = []
        total = 0.0
        for word in keys:
            tid = self._ids.get(word)
            if tid is None or not self._postings[tid]:
                continue
            idf = self.idf(word)
            total += idf
            postings.append(self._array(tid))
            weights.append(idf)
        if not postings or total <= 0:
            return np.zeros(size, dtype=np.float64)
        ids = np.concatenate(postings)
        values = np.repeat(np.array(weights) / total, [len(a) for a in postings])
        length = max(size, int(ids.max()) + 1)
        return cast(FloatArray, np.bincount(ids, weights=values, minlength=length))[:size]

    def shared(self, keys: Iterable[str], practice: int) -> list[str]:
        """The key terms ``practice`` has, in the order of ``keys``."""
        ids = set(self._of.get(practice, ((), ()))[0])
        return [w for w in keys if self._ids.get(w) in ids]

    def _array(self, tid: int) -> IntArray:
        array = self._arrays.get(tid)
        if array is None:
            array = np.fromiter(sorted(self._postings[tid]), dtype=np.int64)
            self._arrays[tid] = array
        return array
