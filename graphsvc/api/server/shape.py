"""The shape of a GraphQL document — depth, aliases, repeated fields — in one linear pass.

These limits are checked before graphql-core's own validation rules, so a document that would
make those rules slow never reaches them:

- a fragment is walked once, however often it is spread (``...F ...F`` in every one of twenty
  nested fragments is 2^20 spreads but twenty walks), and a cycle of spreads is cut where it
  closes (``NoFragmentCyclesRule`` reports it);
- introspection fields count as aliases and repeats like any other (``a: __schema { … }``);
  their depth is the schema's own (the standard introspection query nests 15 levels), so it is
  left to the cost (:mod:`graphsvc.api.server.cost`), which counts each level;
- *repeats* — fields that share one response key in one selection set, fragments included — are
  what the rule that checks that fields can be merged compares pairwise, so their number is
  bounded too (380 copies of ``viewer { name }`` took that rule 0.7 s).

Counts that spreads multiply saturate at :data:`SATURATED`, so the numbers stay small.

Strawberry ships ``QueryDepthLimiter`` and ``MaxAliasesLimiter``; they are not used because they
visit every spread: on a document of 18 nested fragments each spreading the next twice (262,144
spreads), the two take 2.1 s to check it, this pass 0.12 ms (``python -m bench.strawberry_path``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

__all__ = ["SATURATED", "DocumentShape", "ShapeLimits", "shape_errors"]

SATURATED = 1 << 40
"""Counts stop growing here: more than any limit, small enough to print."""


@dataclass(frozen=True, slots=True)
class ShapeLimits:
    max_depth: int
    max_aliases: int
    max_repeats: int


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """What one selection set (with everything under it) amounts to.

    ``depth`` is the deepest field level below it, ``aliases`` the aliased fields it resolves
    (a fragment spread twice counts twice), ``repeats`` the most fields sharing one response key
    in any selection set below, and ``keys`` how often each response key occurs at its own level.
    """

    depth: int
    aliases: int
    repeats: int
    keys: Mapping[str, int]


_EMPTY = DocumentShape(0, 0, 0, {})


class _ShapeWalker:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.done: dict[str, DocumentShape] = {}
        self.active: set[str] = set()

    def fragment(self, name: str) -> DocumentShape:
        found = self.done.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self.active:  # unknown or a cycle: other rules report
            return _EMPTY
        self.active.add(name)
        try:
            shape = self.selection_set(definition.selection_set)
        finally:
            self.active.discard(name)
        self.done[name] = shape
        return shape

    def selection_set(self, node: SelectionSetNode) -> DocumentShape:
        depth = aliases = repeats = 0
        keys: dict[str, int] = {}
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                keys[key] = min(SATURATED, keys.get(key, 0) + 1)
                if selection.alias is not None:
                    aliases += 1
                introspection = selection.name.value.startswith("__")
                if selection.selection_set is None:
                    depth = max(depth, 0 if introspection else 1)
                    continue
                below = self.selection_set(selection.selection_set)
                if not introspection:  # its nesting is the schema's; the cost bounds it
                    depth = max(depth, below.depth + 1)
                aliases += below.aliases
                repeats = max(repeats, below.repeats)
                continue
            if isinstance(selection, InlineFragmentNode):
                below = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                below = self.fragment(selection.name.value)
            else:  # pragma: no cover - the grammar has no other selection
                continue
            depth = max(depth, below.depth)
            aliases += below.aliases
            repeats = max(repeats, below.repeats)
            for key, count in below.keys.items():
                keys[key] = min(SATURATED, keys.get(key, 0) + count)
        repeats = max(repeats, max(keys.values(), default=0))
        return DocumentShape(depth, min(aliases, SATURATED), repeats, keys)


def operation_shapes(document: DocumentNode) -> list[tuple[OperationDefinitionNode, DocumentShape]]:
    """The shape of each operation of ``document``; linear in the size of the document."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _ShapeWalker(fragments)
    return [
        (d, walker.selection_set(d.selection_set))
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]


def _limit_error(message: str, code: str, node: OperationDefinitionNode) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


def shape_errors(document: DocumentNode, limits: ShapeLimits) -> list[GraphQLError]:
    """A ``MAX_DEPTH_EXCEEDED``, ``MAX_ALIASES_EXCEEDED`` or ``MAX_REPEATS_EXCEEDED`` error
    for each operation over a limit."""
    errors: list[GraphQLError] = []
    for operation, shape in operation_shapes(document):
        name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
        if shape.depth > limits.max_depth:
            errors.append(
                _limit_error(
                    f"{name} nests fields {shape.depth} levels deep; "
                    f"the limit is {limits.max_depth}.",
                    "MAX_DEPTH_EXCEEDED",
                    operation,
                )
            )
        if shape.aliases > limits.max_aliases:
            errors.append(
                _limit_error(
                    f"{_count(shape.aliases, 'uses', 'aliases', name)}; "
                    f"the limit is {limits.max_aliases}.",
                    "MAX_ALIASES_EXCEEDED",
                    operation,
                )
            )
        if shape.repeats > limits.max_repeats:
            errors.append(
                _limit_error(
                    f"{name} asks for one field (or alias) {_times(shape.repeats)} in one "
                    f"selection set; the limit is {limits.max_repeats}. Ask for each field once.",
                    "MAX_REPEATS_EXCEEDED",
                    operation,
                )
            )
    return errors


def _count(value: int, verb: str, noun: str, subject: str) -> str:
    amount = f"more than {SATURATED - 1}" if value >= SATURATED else str(value)
    return f"{subject} {verb} {amount} {noun}"


def _times(value: int) -> str:
    return f"more than {SATURATED - 1} times" if value >= SATURATED else f"{value} times"
