"""The estimated cost of a GraphQL operation: how many fields it resolves.

Each field costs 1; a field with ``first``/``last``/``limit`` (or a connection without them, at
the default page size) multiplies the cost of its children by the page size. Introspection is
costed the same way, by the lengths of the lists of *this* schema (:class:`IntrospectionSizes`):
under ``__schema { types }`` and ``directives``, which cover the whole schema, by their average
length, so the estimate of a query over the whole schema is close to the number of fields it
returns; anywhere else (``__type(name: …)``, ``queryType``, a field's ``type``) by their
greatest length, since one type may have many more fields than the average.

Linear in the size of the document: a fragment is costed once per estimate, however often it is
spread, and a cycle of spreads costs nothing (validation reports it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_object_type,
)
from graphql.type.definition import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from graphsvc.api.server.shape import SATURATED

__all__ = ["PAGE_ARGUMENTS", "CostEstimate", "IntrospectionSizes", "estimate_cost"]

PAGE_ARGUMENTS = ("first", "last", "limit")
"""Arguments that set how many items a list field returns; they multiply the cost of children."""


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The estimated number of fields an operation resolves, and the variables it depends on."""

    cost: int
    variables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IntrospectionSizes:
    """The average and the greatest length of each introspection list of one schema, keyed
    ``(type, field)``.

    ``ofType`` is a chain, not a list: its average factor is the chance that a type reference is
    wrapped once more (w / (1 + w) for w wrappers per reference on average), so a chain of any
    length costs what the schema's chains cost on average; its greatest factor is 1.
    """

    mean: Mapping[tuple[str, str], float]
    most: Mapping[tuple[str, str], float]

    @classmethod
    def of(cls, schema: GraphQLSchema) -> IntrospectionSizes:
        types = list(schema.type_map.values())
        n_types = max(1, len(types))
        composite = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
        fields = [f for t in composite for f in t.fields.values()]
        input_types = [t for t in types if isinstance(t, GraphQLInputObjectType)]
        inputs = [f for t in input_types for f in t.fields.values()]
        args = [a for f in fields for a in f.args.values()]
        directive_args = [a for d in schema.directives for a in d.args.values()]
        refs = [x.type for x in (*fields, *inputs, *args, *directive_args)]
        wrappers = sum(_wrappers(t) for t in refs) / max(1, len(refs))
        abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
        enums = [t for t in types if isinstance(t, GraphQLEnumType)]
        per_type: dict[str, list[int]] = {
            "fields": [len(t.fields) for t in composite],
            "inputFields": [len(t.fields) for t in input_types],
            "interfaces": [len(t.interfaces) for t in composite],
            "possibleTypes": [len(schema.get_possible_types(t)) for t in abstract],
            "enumValues": [len(t.values) for t in enums],
        }
        mean: dict[tuple[str, str], float] = {
            ("__Schema", "types"): float(n_types),
            ("__Schema", "directives"): float(len(schema.directives)),
            ("__Field", "args"): len(args) / max(1, len(fields)),
            ("__Directive", "args"): len(directive_args) / max(1, len(schema.directives)),
            ("__Type", "ofType"): wrappers / (1 + wrappers),
        }
        most: dict[tuple[str, str], float] = {
            **mean,
            ("__Field", "args"): float(max((len(f.args) for f in fields), default=0)),
            ("__Directive", "args"): float(
                max((len(d.args) for d in schema.directives), default=0)
            ),
            ("__Type", "ofType"): 1.0,
        }
        for name, lengths in per_type.items():
            mean["__Type", name] = sum(lengths) / n_types
            most["__Type", name] = float(max(lengths, default=0))
        return cls(mean, most)


def _wrappers(type_: Any) -> int:
    count = 0
    while isinstance(type_, GraphQLList | GraphQLNonNull):
        count, type_ = count + 1, type_.of_type
    return count


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page_size: int,
        introspection: IntrospectionSizes,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size
        self.introspection = introspection
        self.used: list[str] = []
        self.done: dict[tuple[str, bool], float] = {}
        self.active: set[str] = set()

    def factor(self, node: FieldNode, parent: str, type_name: str, whole: bool) -> float:
        """How many times the children of ``node`` are resolved."""
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
            return float(min(SATURATED, max(0, *sizes)))
        lengths = self.introspection.mean if whole else self.introspection.most
        introspected = lengths.get((parent, node.name.value))
        if introspected is not None:
            return introspected
        return float(self.default_page_size) if type_name.endswith("Connection") else 1.0

    def fragment(self, name: str, whole: bool) -> float:
        found = self.done.get((name, whole))
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0.0
        self.active.add(name)
        try:
            target = self.schema.get_type(definition.type_condition.name.value)
            cost = self.cost(definition.selection_set, target, whole)
        finally:
            self.active.discard(name)
        self.done[name, whole] = cost
        return cost

    def cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        whole: bool = False,
    ) -> float:
        """The cost of ``selection_set`` on ``parent``; ``whole`` under a list of the whole
        schema (introspection lists are then weighed by their average length)."""
        if selection_set is None:
            return 0.0
        total = 0.0
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
                parent_name = parent.name if parent else ""
                below = whole or (parent_name == "__Schema" and name in ("types", "directives"))
                children = self.cost(selection.selection_set, child_type, below)
                factor = self.factor(selection, parent_name, type_name, below)
                total += 1.0 + factor * children
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target, whole)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, whole)
            total = min(total, float(SATURATED))
        return total


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    default_page_size: int,
    introspection: IntrospectionSizes | None = None,
) -> CostEstimate:
    """The estimated cost of ``operation`` with ``variables``.

    ``{ practices(first: 20) { edges { node { title themes { label } } } } }`` costs
    1 + 20 × (1 + 1 + 1 + 1) = 81.
    """
    root = schema.get_root_type(operation.operation)
    sizes = introspection if introspection is not None else IntrospectionSizes.of(schema)
    walker = _CostWalker(schema, fragments, variables, default_page_size, sizes)
    cost = walker.cost(operation.selection_set, root if is_object_type(root) else None)
    return CostEstimate(math.ceil(cost), tuple(dict.fromkeys(walker.used)))
