"""The estimated cost of a GraphQL operation: how many fields it resolves.

Each field costs 1; a field with ``first``/``last``/``limit`` (or a connection without them, at
the default page size) multiplies the cost of its children by the page size. Introspection is
costed the same way: a list of the schema (``types``, ``fields``, ``args``, …) multiplies the
cost of its children by its average length in *this* schema, so the estimate of a query over the
whole schema is close to the number of fields it returns (:class:`IntrospectionSizes`).

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

from graphsvc.api.shape import SATURATED

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
    """The average length of each introspection list in one schema, keyed ``(type, field)``.

    ``ofType`` is a chain, not a list: its factor is the chance that a type reference is wrapped
    once more (w / (1 + w) for w wrappers per reference on average), so a chain of any length
    costs what the schema's chains cost on average.
    """

    factors: Mapping[tuple[str, str], float]

    @classmethod
    def of(cls, schema: GraphQLSchema) -> IntrospectionSizes:
        types = list(schema.type_map.values())
        n_types = max(1, len(types))
        fields = [
            f
            for t in types
            if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
            for f in t.fields.values()
        ]
        inputs = [
            f for t in types if isinstance(t, GraphQLInputObjectType) for f in t.fields.values()
        ]
        args = [a for f in fields for a in f.args.values()]
        directive_args = [a for d in schema.directives for a in d.args.values()]
        refs = [x.type for x in (*fields, *inputs, *args, *directive_args)]
        wrappers = sum(_wrappers(t) for t in refs) / max(1, len(refs))
        per_type = {
            "fields": len(fields),
            "inputFields": len(inputs),
            "interfaces": sum(
                len(t.interfaces)
                for t in types
                if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
            ),
            "possibleTypes": sum(
                len(schema.get_possible_types(t))
                for t in types
                if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)
            ),
            "enumValues": sum(len(t.values) for t in types if isinstance(t, GraphQLEnumType)),
        }
        factors: dict[tuple[str, str], float] = {
            ("__Schema", "types"): float(n_types),
            ("__Schema", "directives"): float(len(schema.directives)),
            ("__Field", "args"): len(args) / max(1, len(fields)),
            ("__Directive", "args"): len(directive_args) / max(1, len(schema.directives)),
            ("__Type", "ofType"): wrappers / (1 + wrappers),
        }
        for name, total in per_type.items():
            factors["__Type", name] = total / n_types
        return cls(factors)


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
        self.introspection = introspection.factors
        self.used: list[str] = []
        self.done: dict[str, float] = {}
        self.active: set[str] = set()

    def factor(self, node: FieldNode, parent: str, type_name: str) -> float:
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
        introspected = self.introspection.get((parent, node.name.value))
        if introspected is not None:
            return introspected
        return float(self.default_page_size) if type_name.endswith("Connection") else 1.0

    def fragment(self, name: str) -> float:
        found = self.done.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0.0
        self.active.add(name)
        try:
            target = self.schema.get_type(definition.type_condition.name.value)
            cost = self.cost(definition.selection_set, target)
        finally:
            self.active.discard(name)
        self.done[name] = cost
        return cost

    def cost(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> float:
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
                children = self.cost(selection.selection_set, child_type)
                factor = self.factor(selection, parent.name if parent else "", type_name)
                total += 1.0 + factor * children
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
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
