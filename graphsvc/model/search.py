"""An in-memory full-text index with BM25F-style ranking, accent- and case-insensitive.

Documents are entities (practices, PES, events, themes) with weighted text fields: a word in a title
counts more than a word in an abstract. A query is split into folded words; each document's score is

    sum over query words w of  idf(w) * tf(w) * (k1 + 1) / (tf(w) + k1 * (1 - b + b * len / avglen))

where ``tf`` and ``len`` are weighted by field. The last query word also matches as a prefix (with
half weight) so that search-as-you-type finds "employ" -> "employment". A document whose title or
label is exactly the query gets a bonus equal to the query's total idf, so an exact title match
ranks above a passing mention. Words in every language of a literal are indexed together.

Writers replace posting dictionaries instead of mutating them, so a search running in another thread
never sees a dictionary change size under it. Complexity: a query costs the sum of its words' posting
list lengths.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from graphsvc.model.text import sort_key, tokens

__all__ = ["Hit", "SearchIndex"]

K1 = 1.2
B = 0.75
PREFIX_WEIGHT = 0.5
MAX_PREFIX_EXPANSION = 64


@dataclass(frozen=True, slots=True)
class Hit:
    iri: str
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class _Doc:
    kind: str
    length: float
    terms: tuple[str, ...]
    exact: frozenset[str]


class SearchIndex:
    """Documents by IRI; ``search`` ranks them for a query. See the module docstring."""

    __slots__ = ("_docs", "_postings", "_published", "_total_length", "_vocabulary")

    def __init__(self, *, published: bool = True) -> None:
        self._docs: dict[str, _Doc] = {}
        self._postings: dict[str, dict[str, float]] = {}
        self._total_length = 0.0
        self._vocabulary: list[str] | None = None
        # Until published (a fresh build), no reader holds a posting: adds grow them in place.
        # Afterwards each change replaces the posting it touches, so a reader iterating one
        # never sees it change.
        self._published = published

    def publish(self) -> None:
        """From now on readers may search concurrently with writers: copy postings on write."""
        self._published = True

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, iri: object) -> bool:
        return iri in self._docs

    def add(
        self,
        iri: str,
        kind: str,
        fields: Iterable[tuple[float, str]],
        exact: Iterable[str] = (),
    ) -> None:
        """Index ``iri`` (replacing an earlier version) from ``(weight, text)`` fields.

        ``exact`` are the texts (titles, labels) that earn the exact-match bonus.
        """
        self.remove(iri)
        weighted: dict[str, float] = {}
        length = 0.0
        for weight, text in fields:
            for word in tokens(text):
                weighted[word] = weighted.get(word, 0.0) + weight
                length += weight
        postings = self._postings
        for word, tf in weighted.items():
            old = postings.get(word)
            if old is None:
                postings[word] = {iri: tf}
                self._vocabulary = None
            elif self._published:
                postings[word] = {**old, iri: tf}
            else:
                old[iri] = tf
        self._docs[iri] = _Doc(
            kind=kind,
            length=length,
            terms=tuple(weighted),
            exact=frozenset(k for k in (sort_key(t) for t in exact) if k),
        )
        self._total_length += length

    def document_terms(self, iri: str) -> dict[str, float]:
        """The indexed words of ``iri`` with their field-weighted frequencies (empty if it is not
        indexed): what the recommender's text signal reads. O(words of the document)."""
        doc = self._docs.get(iri)
        if doc is None:
            return {}
        postings = self._postings
        return {w: postings[w][iri] for w in doc.terms if iri in postings.get(w, {})}

    def remove(self, iri: str) -> None:
        doc = self._docs.pop(iri, None)
        if doc is None:
            return
        self._total_length -= doc.length
        for word in doc.terms:
            old = self._postings.get(word)
            if old is None:
                continue
            new = {k: v for k, v in old.items() if k != iri}
            if new:
                self._postings[word] = new
            else:
                del self._postings[word]
                self._vocabulary = None

    def search(self, query: str, kinds: Collection[str] | None = None) -> list[Hit]:
        """Documents matching any word of ``query``, best first (ties by IRI)."""
        words = list(dict.fromkeys(tokens(query)))
        n = len(self._docs)
        if not words or n == 0:
            return []
        avg = (self._total_length / n) or 1.0
        scores: dict[str, float] = {}
        total_idf = 0.0
        weighted_words = [(w, 1.0) for w in words]
        weighted_words += [(w, PREFIX_WEIGHT) for w in self._expand(words[-1]) if w not in words]
        for word, factor in weighted_words:
            posting = self._postings.get(word)
            if not posting:
                continue
            df = len(posting)
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5)) * factor
            if factor == 1.0:
                total_idf += idf
            docs = self._docs
            for iri, tf in posting.items():
                doc = docs.get(iri)
                if doc is None:
                    continue
                norm = K1 * (1.0 - B + B * doc.length / avg)
                scores[iri] = scores.get(iri, 0.0) + idf * tf * (K1 + 1.0) / (tf + norm)
        phrase = " ".join(words)
        hits = []
        for iri, score in scores.items():
            doc = self._docs.get(iri)
            if doc is None or (kinds is not None and doc.kind not in kinds):
                continue
            if phrase in doc.exact:
                score += total_idf
            hits.append(Hit(iri=iri, kind=doc.kind, score=score))
        hits.sort(key=lambda h: (-h.score, h.iri))
        return hits

    def _expand(self, prefix: str) -> list[str]:
        """Indexed words that start with ``prefix`` (at least two characters)."""
        if len(prefix) < 2:
            return []
        vocabulary = self._vocabulary
        if vocabulary is None:
            vocabulary = self._vocabulary = sorted(self._postings)
        start = bisect.bisect_left(vocabulary, prefix)
        out = []
        for word in vocabulary[start : start + MAX_PREFIX_EXPANSION]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out
