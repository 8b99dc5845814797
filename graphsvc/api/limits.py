"""Protection of the GraphQL endpoint: depth, aliases, tokens, cost, time and request rate.

Every limit answers with a GraphQL error whose ``extensions.code`` names it, never with a 500:

========================  ==================================  ===============================
code                      limit                               setting
========================  ==================================  ===============================
``MAX_TOKENS_EXCEEDED``   lexical tokens of the document      ``max_query_tokens``
``MAX_DEPTH_EXCEEDED``    nesting of fields                   ``max_query_depth``
``MAX_ALIASES_EXCEEDED``  aliased fields                      ``max_query_aliases``
``MAX_COST_EXCEEDED``     estimated fields to resolve         ``max_query_cost``
``TIMEOUT``               wall time of one execution          ``request_timeout``
``RATE_LIMITED``          requests per token or per address   ``rate_per_*``, ``burst_per_*``
========================  ==================================  ===============================

Depth and aliases are validation rules, so their verdict is cached with the document. The cost
depends on variables (``first: $n``) and is computed per operation and page sizes, then cached.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    is_object_type,
)
from graphql.type.definition import GraphQLInterfaceType, GraphQLNamedType, GraphQLObjectType
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from graphsvc.errors import GraphsvcError

__all__ = [
    "PAGE_ARGUMENTS",
    "CostEstimate",
    "Deadline",
    "LimitExceeded",
    "RateLimiter",
    "RequestTimeout",
    "estimate_cost",
    "limit_error",
    "max_aliases_rule",
    "max_depth_rule",
]

PAGE_ARGUMENTS = ("first", "last", "limit")
"""Arguments that set how many items a list field returns; they multiply the cost of children."""


class LimitExceeded(GraphsvcError):
    """A request goes beyond one of the limits; ``code`` is the GraphQL error code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class RequestTimeout(LimitExceeded):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request took longer than {seconds:g} s and was stopped; "
            "ask for fewer items or fewer fields.",
            "TIMEOUT",
        )


def limit_error(message: str, code: str, node: Any = None) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


# -- depth and aliases: validation rules ------------------------------------------------------


def _walk(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    depth: int,
    seen: frozenset[str],
) -> tuple[int, int]:
    """(deepest field level, aliases) under ``selection_set``; introspection is not counted."""
    if selection_set is None:
        return depth, 0
    deepest, aliases = depth, 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            if selection.alias is not None:
                aliases += 1
            sub_depth, sub_aliases = _walk(selection.selection_set, fragments, depth + 1, seen)
            deepest, aliases = max(deepest, sub_depth), aliases + sub_aliases
        elif isinstance(selection, InlineFragmentNode):
            sub_depth, sub_aliases = _walk(selection.selection_set, fragments, depth, seen)
            deepest, aliases = max(deepest, sub_depth), aliases + sub_aliases
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:  # other rules report these
                continue
            sub_depth, sub_aliases = _walk(fragment.selection_set, fragments, depth, seen | {name})
            deepest, aliases = max(deepest, sub_depth), aliases + sub_aliases
    return deepest, aliases


def _fragments(rule: ValidationRule) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in rule.context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def max_depth_rule(max_depth: int) -> type[ValidationRule]:
    """Reject operations whose fields nest deeper than ``max_depth`` levels."""

    class MaxDepthRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            depth, _aliases = _walk(node.selection_set, _fragments(self), 0, frozenset())
            if depth > max_depth:
                name = f"Operation '{node.name.value}'" if node.name else "The operation"
                self.report_error(
                    limit_error(
                        f"{name} nests fields {depth} levels deep; the limit is {max_depth}.",
                        "MAX_DEPTH_EXCEEDED",
                        node,
                    )
                )

    return MaxDepthRule


def max_aliases_rule(max_aliases: int) -> type[ValidationRule]:
    """Reject operations with more than ``max_aliases`` aliased fields (a batching attack)."""

    class MaxAliasesRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            _depth, aliases = _walk(node.selection_set, _fragments(self), 0, frozenset())
            if aliases > max_aliases:
                self.report_error(
                    limit_error(
                        f"The operation uses {aliases} aliases; the limit is {max_aliases}.",
                        "MAX_ALIASES_EXCEEDED",
                        node,
                    )
                )

    return MaxAliasesRule


# -- cost ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The estimated number of fields an operation resolves, and the variables it depends on."""

    cost: int
    variables: tuple[str, ...]


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size
        self.used: list[str] = []

    def page_size(self, node: FieldNode, type_name: str) -> int:
        sizes = []
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                sizes.append(int(value.value))
            elif isinstance(value, VariableNode):
                name = value.name.value
                self.used.append(name)
                given = self.variables.get(name)
                if isinstance(given, int) and not isinstance(given, bool):
                    sizes.append(given)
        if sizes:
            return max(0, *sizes)
        return self.default_page_size if type_name.endswith("Connection") else 1

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        seen: frozenset[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name == "__typename":
                    continue
                field_def = None
                if name == "__schema":
                    field_def = SchemaMetaFieldDef
                elif name == "__type":
                    field_def = TypeMetaFieldDef
                elif isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    field_def = parent.fields.get(name)
                child_type = get_named_type(field_def.type) if field_def is not None else None
                type_name = child_type.name if child_type is not None else ""
                children = self.cost(selection.selection_set, child_type, seen)
                total += 1 + self.page_size(selection, type_name) * children
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                total += self.cost(fragment.selection_set, target, seen | {fragment.name.value})
        return total


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_page_size: int,
) -> CostEstimate:
    """Each field costs 1; a field with ``first``/``last``/``limit`` (or a connection without
    them, at ``default_page_size``) multiplies the cost of its children by the page size.

    ``{ practices(first: 20) { edges { node { title themes { label } } } } }`` costs
    1 + 20 × (1 + 1 + 1 + 1) = 81. Linear in the size of the document.
    """
    root = schema.get_root_type(operation.operation)
    walker = _CostWalker(schema, fragments, variables, default_page_size)
    cost = walker.cost(operation.selection_set, root if is_object_type(root) else None, frozenset())
    return CostEstimate(cost, tuple(dict.fromkeys(walker.used)))


# -- time ------------------------------------------------------------------------------------


class Deadline:
    """An abort signal for graphql-core that fires when the request's time is up.

    graphql-core polls ``aborted`` at field boundaries and awaits ``wait()`` beside each
    asynchronous resolver, so both slow synchronous work and hanging awaits are cut off.
    """

    __slots__ = ("countdown", "expires", "fired", "seconds")

    CHECK_EVERY = 16
    """:meth:`checkpoint` reads the clock on its first call and then every this many calls."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.fired = False
        self.countdown = 1

    def checkpoint(self) -> bool:
        """``aborted``, reading the clock only every :attr:`CHECK_EVERY` calls (one per object)."""
        self.countdown -= 1
        if self.countdown > 0:
            return self.fired
        self.countdown = self.CHECK_EVERY
        return self.aborted

    @property
    def aborted(self) -> bool:
        if not self.fired and time.monotonic() >= self.expires:
            self.fired = True
        return self.fired

    @property
    def reason(self) -> RequestTimeout:
        return RequestTimeout(self.seconds)

    async def wait(self) -> RequestTimeout:
        remaining = self.expires - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)
        # the event loop may wake a timer up to its clock resolution early: once this returns,
        # the signal must read as aborted, or graphql-core asks for a result that is not there
        self.fired = True
        return self.reason


# -- rate ------------------------------------------------------------------------------------


class RateLimiter:
    """Token buckets in memory, one per key (a token id or a client address).

    Each bucket holds up to ``burst`` requests and refills at ``rate`` per second. A ``rate`` of 0
    disables the limiter. Buckets that have refilled completely are dropped when there are more
    than ``max_keys``, so memory stays bounded. Each worker process keeps its own buckets.
    """

    def __init__(self, rate: float, burst: int, max_keys: int = 50_000) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.max_keys = max_keys
        self._buckets: dict[str, list[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one request from ``key``'s bucket: 0.0 if allowed, else seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            bucket = self._buckets[key] = [float(self.burst), now]
        tokens = min(float(self.burst), bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # all busy: forget the oldest half
            for key in list(self._buckets)[: len(self._buckets) // 2]:
                del self._buckets[key]
