"""The service's own GraphQL execution path against Strawberry's, on the same schema and data.

    .venv/bin/python -m bench.strawberry_path [--practices 2000] [--seed 1] [--repeat 300]
                                              [--fragments 12,16,20]

In one process, over one read model of the seeds plus ``--practices`` generated practices:

1. **The typical query** (:data:`bench.graphql.QUERY`, variables cycling over 50 pairs):
   - *strawberry*: ``Schema.execute`` of a second schema over the same types, with the
     extensions a Strawberry user would add for the same protection and speed: ``ParserCache``,
     ``ValidationCache``, ``QueryDepthLimiter``, ``MaxAliasesLimiter`` and ``MaskErrors``;
   - *graphsvc*: ``api.server``'s document cache (parse, validate, shape limits once per text),
     cost check and executor (compiled plan, else graphql-core with the deadline).
2. **A fragment-doubling document** (``...F ...F`` in each of k nested fragments: 2^k spreads
   of k fragments): the time to check its depth and aliases, with Strawberry's two limiters
   (which visit every spread) against :mod:`graphsvc.api.server.shape` (each fragment once).

It prints medians in microseconds and the ratio; it asserts nothing. The figures are quoted in
the docstrings of :mod:`graphsvc.api.server.execution` and :mod:`graphsvc.api.server.shape`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from itertools import cycle
from typing import Any

import strawberry
from graphql import parse
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from bench.graphql import QUERY
from graphsvc.api.context import Context
from graphsvc.api.mutations import Mutation
from graphsvc.api.schema import RootQuery, schema
from graphsvc.api.server.execution import DocumentCache, Executor
from graphsvc.api.server.routes import DIRECT_FIELDS
from graphsvc.api.server.shape import ShapeLimits, shape_errors
from graphsvc.api.types import OBJECT_TYPES
from graphsvc.model.readmodel import build_read_model
from graphsvc.services import Services
from graphsvc.settings import Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.base import Changeset
from graphsvc.store.loading import load_ontology_and_seeds
from graphsvc.synthetic import dataset_quads, generate_dataset

__all__ = ["main"]


def _median_us(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def _services(practices: int, seed: int) -> Services:
    settings = Settings.from_env()
    store = OxigraphStore()
    load_ontology_and_seeds(store, settings.ontology_dir, settings.seeds_dir)
    if practices:
        store.apply(Changeset(add=list(dataset_quads(generate_dataset(practices, seed)))))
    services = Services(settings=settings, store=store)
    services.read_model = build_read_model(store)
    return services


def _fragment_document(k: int) -> str:
    """``F0`` spreads ``F1`` twice, …, ``F(k-1)`` selects a field: 2^k spreads of k fragments."""
    parts = ["query Q { ...F0 }"]
    for i in range(k - 1):
        parts.append(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}")
    parts.append(f"fragment F{k - 1} on Query {{ themes {{ totalCount }} }}")
    return "\n".join(parts)


def typical(services: Services, repeat: int) -> tuple[float, float]:
    settings = services.settings
    pairs = [
        {"id": p.iri, "theme": p.themes[0]}
        for p in list(services.read_model.practices.values())[:50]
        if p.themes
    ]
    strawberry_schema = strawberry.Schema(
        query=RootQuery,
        mutation=Mutation,
        types=OBJECT_TYPES,
        extensions=[
            ParserCache,
            ValidationCache,
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
            MaskErrors,
        ],
    )
    variables = cycle(pairs)

    def with_strawberry() -> None:
        result = strawberry_schema.execute_sync(
            QUERY, variable_values=next(variables), context_value=Context(services)
        )
        assert not result.errors, result.errors

    documents = DocumentCache(schema._schema, settings)
    executor = Executor(schema._schema, settings)
    loop = asyncio.new_event_loop()

    def with_graphsvc() -> None:
        prepared = documents.prepare(QUERY)
        operation = prepared.operation(None)
        values = next(variables)
        executor.check_cost(prepared, operation, values)
        result = loop.run_until_complete(
            executor.run(prepared, operation, values, Context(services))
        )
        assert not result.errors, result.errors

    with_strawberry()
    with_graphsvc()
    try:
        return _median_us(with_strawberry, repeat), _median_us(with_graphsvc, repeat)
    finally:
        loop.close()


def fragments(k: int, settings: Settings) -> tuple[float, float]:
    document = parse(_fragment_document(k))
    limits = ShapeLimits(
        settings.max_query_depth, settings.max_query_aliases, settings.max_field_repeats
    )
    depth = QueryDepthLimiter(max_depth=settings.max_query_depth)
    aliases = MaxAliasesLimiter(max_alias_count=settings.max_query_aliases)
    rules = [*depth.validation_rules, *aliases.validation_rules]

    def with_strawberry() -> None:
        from graphql import validate

        validate(schema._schema, document, rules)

    def with_graphsvc() -> None:
        shape_errors(document, limits)

    repeat = 3 if k >= 16 else 20
    return _median_us(with_strawberry, repeat), _median_us(with_graphsvc, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--fragments", default="10,14,18")
    args = parser.parse_args(argv)
    services = _services(args.practices, args.seed)
    print(
        f"dataset: {len(services.read_model.practices)} practices; "
        f"{DIRECT_FIELDS} fields on direct resolvers"
    )
    straw, ours = typical(services, args.repeat)
    print("typical query, median per request (µs):")
    print(f"  strawberry Schema.execute + 5 extensions  {straw:9.0f}")
    print(f"  graphsvc api.server                       {ours:9.0f}   ({straw / ours:.1f}x faster)")
    print("depth + alias limits on 2^k fragment spreads, median (µs):")
    for k in (int(x) for x in args.fragments.split(",")):
        straw, ours = fragments(k, services.settings)
        print(
            f"  k={k:2d} ({2**k:7d} spreads)  strawberry {straw:12.0f}  graphsvc {ours:8.0f}"
            f"   ({straw / ours:.0f}x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
