"""The sentences of explanations, in the languages labels are in: English, French, Spanish, Swedish.

Every reason the recommender gives is made here from a template per language and the labels of
the nodes it names (picked in the same language by the caller). An unknown language falls back to
English. Complexity: O(nodes named). Example::

    >>> join_labels(["A", "B", "C"], "fr")
    'A, B et C'
    >>> text("theme", "sv", ["Ungdomsgarantin"])
    'delar temat Ungdomsgarantin'
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["LANGUAGES", "join_labels", "language", "phrase", "text"]

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "sv")

_AND = {"en": "and", "fr": "et", "es": "y", "sv": "och"}
_MORE = {"en": "{n} more", "fr": "{n} autres", "es": "{n} más", "sv": "{n} till"}
_MAX_NAMED = 3

# signal -> language -> (template for one node, template for several); {x} is the list of labels
_TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "theme": {
        "en": ("shares theme {x}", "shares themes {x}"),
        "fr": ("partage le thème {x}", "partage les thèmes {x}"),
        "es": ("comparte el tema {x}", "comparte los temas {x}"),
        "sv": ("delar temat {x}", "delar teman {x}"),
    },
    "related-theme": {
        "en": ("on a broader or narrower theme: {x}", "on broader or narrower themes: {x}"),
        "fr": (
            "sur un thème plus large ou plus précis : {x}",
            "sur des thèmes plus larges ou plus précis : {x}",
        ),
        "es": (
            "sobre un tema más amplio o más específico: {x}",
            "sobre temas más amplios o más específicos: {x}",
        ),
        "sv": ("om ett bredare eller smalare tema: {x}", "om bredare eller smalare teman: {x}"),
    },
    "broader-theme": {
        "en": ("related themes under {x}", "related themes under {x}"),
        "fr": ("thèmes voisins sous {x}", "thèmes voisins sous {x}"),
        "es": ("temas afines bajo {x}", "temas afines bajo {x}"),
        "sv": ("närliggande teman under {x}", "närliggande teman under {x}"),
    },
    "target-group": {
        "en": ("same target group ({x})", "same target groups ({x})"),
        "fr": ("même public cible ({x})", "mêmes publics cibles ({x})"),
        "es": ("mismo grupo destinatario ({x})", "mismos grupos destinatarios ({x})"),
        "sv": ("samma målgrupp ({x})", "samma målgrupper ({x})"),
    },
    "pes": {
        "en": ("same PES ({x})", "same PES ({x})"),
        "fr": ("même service public de l'emploi ({x})", "même service public de l'emploi ({x})"),
        "es": ("mismo servicio público de empleo ({x})", "mismo servicio público de empleo ({x})"),
        "sv": ("samma arbetsförmedling ({x})", "samma arbetsförmedling ({x})"),
    },
    "country": {
        "en": ("same country ({x})", "same country ({x})"),
        "fr": ("même pays ({x})", "même pays ({x})"),
        "es": ("mismo país ({x})", "mismo país ({x})"),
        "sv": ("samma land ({x})", "samma land ({x})"),
    },
    "region": {
        "en": ("same WAPES region ({x})", "same WAPES region ({x})"),
        "fr": ("même région de l'AMSEP ({x})", "même région de l'AMSEP ({x})"),
        "es": ("misma región de la AMSPE ({x})", "misma región de la AMSPE ({x})"),
        "sv": ("samma WAPES-region ({x})", "samma WAPES-region ({x})"),
    },
    "event": {
        "en": ("presented at the same event ({x})", "presented at the same events ({x})"),
        "fr": ("présenté au même événement ({x})", "présenté aux mêmes événements ({x})"),
        "es": ("presentado en el mismo evento ({x})", "presentado en los mismos eventos ({x})"),
        "sv": ("presenterad vid samma evenemang ({x})", "presenterad vid samma evenemang ({x})"),
    },
    "text": {
        "en": ("shares the key term {x}", "shares the key terms {x}"),
        "fr": ("partage le terme clé {x}", "partage les termes clés {x}"),
        "es": ("comparte el término clave {x}", "comparte los términos clave {x}"),
        "sv": ("delar nyckelordet {x}", "delar nyckelorden {x}"),
    },
    "path": {
        "en": ("linked through {x}", "linked through {x}"),
        "fr": ("relié par {x}", "relié par {x}"),
        "es": ("enlazado a través de {x}", "enlazado a través de {x}"),
        "sv": ("förbunden genom {x}", "förbunden genom {x}"),
    },
    "walk": {
        "en": (
            "close in the graph through practices like {x}",
            "close in the graph through practices like {x}",
        ),
        "fr": (
            "proche dans le graphe par des pratiques comme {x}",
            "proche dans le graphe par des pratiques comme {x}",
        ),
        "es": (
            "cercano en el grafo a través de prácticas como {x}",
            "cercano en el grafo a través de prácticas como {x}",
        ),
        "sv": ("nära i grafen genom praxis som {x}", "nära i grafen genom praxis som {x}"),
    },
    "feedback": {
        "en": ("marked useful by {x}", "marked useful by {x}"),
        "fr": ("jugé utile par {x}", "jugé utile par {x}"),
        "es": ("marcado como útil por {x}", "marcado como útil por {x}"),
        "sv": ("markerad som användbar av {x}", "markerad som användbar av {x}"),
    },
    "peer-theme": {
        "en": ("both work on {x}", "both work on {x}"),
        "fr": ("travaillent tous deux sur {x}", "travaillent tous deux sur {x}"),
        "es": ("ambos trabajan en {x}", "ambos trabajan en {x}"),
        "sv": ("båda arbetar med {x}", "båda arbetar med {x}"),
    },
    "peer-target-group": {
        "en": ("both serve {x}", "both serve {x}"),
        "fr": ("servent tous deux {x}", "servent tous deux {x}"),
        "es": ("ambos atienden a {x}", "ambos atienden a {x}"),
        "sv": ("båda betjänar {x}", "båda betjänar {x}"),
    },
    "peer-event": {
        "en": ("both presented practices at {x}", "both presented practices at {x}"),
        "fr": (
            "ont tous deux présenté des pratiques à {x}",
            "ont tous deux présenté des pratiques à {x}",
        ),
        "es": ("ambos presentaron prácticas en {x}", "ambos presentaron prácticas en {x}"),
        "sv": ("båda presenterade praxis vid {x}", "båda presenterade praxis vid {x}"),
    },
    "network": {
        "en": ("both members of {x}", "both members of {x}"),
        "fr": ("tous deux membres de {x}", "tous deux membres de {x}"),
        "es": ("ambos miembros de {x}", "ambos miembros de {x}"),
        "sv": ("båda medlemmar i {x}", "båda medlemmar i {x}"),
    },
}

# fixed phrases: key -> language -> text ({n} and {x} are filled in by the caller)
_PHRASES: dict[str, dict[str, str]] = {
    "practices": {
        "en": "{x} ({a} and {b} practices)",
        "fr": "{x} ({a} et {b} pratiques)",
        "es": "{x} ({a} y {b} prácticas)",
        "sv": "{x} ({a} och {b} praxis)",
    },
    "empty-filters": {
        "en": "no item passes the filters",
        "fr": "aucun élément ne passe les filtres",
        "es": "ningún elemento pasa los filtros",
        "sv": "inget objekt klarar filtren",
    },
    "empty-threshold": {
        "en": "nothing is related strongly enough: every candidate scores under {x}",
        "fr": "rien n'est assez proche : chaque candidat a un score inférieur à {x}",
        "es": "nada está suficientemente relacionado: todos los candidatos puntúan por debajo de {x}",
        "sv": "inget är tillräckligt närliggande: varje kandidat får under {x}",
    },
    "empty-profile": {
        "en": "there is nothing to compare with yet: no practice, theme or place to start from",
        "fr": "rien à comparer pour l'instant : aucune pratique, aucun thème ni lieu de départ",
        "es": "todavía no hay nada con qué comparar: ninguna práctica, tema o lugar de partida",
        "sv": "det finns inget att jämföra med ännu: ingen praxis, inget tema eller plats att utgå från",
    },
    "empty-page": {
        "en": "the ranking has no items after this cursor",
        "fr": "le classement n'a plus d'éléments après ce curseur",
        "es": "la clasificación no tiene elementos después de este cursor",
        "sv": "rangordningen har inga objekt efter denna markör",
    },
}


def language(lang: str | None) -> str:
    """``lang`` if the explanations speak it (``fr-BE`` counts as ``fr``), else English."""
    base = (lang or "en").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def join_labels(labels: Sequence[str], lang: str = "en") -> str:
    """``A, B and C`` in the language."""
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {_AND[language(lang)]} {labels[-1]}"


def _named(labels: Sequence[str], lang: str) -> str:
    shown = list(labels[:_MAX_NAMED])
    if len(labels) > _MAX_NAMED:
        shown.append(_MORE[language(lang)].format(n=len(labels) - _MAX_NAMED))
    return join_labels(shown, lang)


def text(signal: str, lang: str, labels: Sequence[str]) -> str:
    """The sentence for ``signal`` naming ``labels`` (a path is joined with arrows)."""
    one, several = _TEMPLATES[signal][language(lang)]
    if signal == "path":
        return one.format(x=" → ".join(labels))
    return (several if len(labels) > 1 else one).format(x=_named(labels, lang))


def phrase(key: str, lang: str, **values: object) -> str:
    """A fixed phrase (an empty list's reason, a count) in the language."""
    return _PHRASES[key][language(lang)].format(**values)
