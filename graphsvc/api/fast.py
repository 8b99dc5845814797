"""Direct resolvers for the read-model types: skip Strawberry's per-call wrapper where it adds nothing.

Strawberry resolves a field that has a resolver through several layers: it builds an ``Info``,
converts the arguments, chains the field extensions and only then calls the method. For a field
whose method takes only ``self`` and plain scalar arguments (``lang: str``, ``first: int | None``)
none of that changes the result, so :func:`install_direct_resolvers` replaces the compiled
graphql-core resolver of such fields with a direct call ``method(source, **arguments)``. Fields
without a resolver become a plain ``getattr``. The SDL, argument defaults and error handling are
unchanged (an exception still becomes a located GraphQL error).

A field keeps Strawberry's resolver when it asks for ``info`` or the root, is async, has field
extensions or permission classes, or takes an argument that is not a plain scalar (an enum or an
input object needs Strawberry's conversion). Object types whose instances are always
Strawberry objects also drop the ``is_type_of`` check (graphql-core calls it for every object).

Cost: a direct field costs one Python call instead of about ten; measured on a 20-item page this
halves the execution time of the per-item fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition, StrawberryOptional
from strawberry.types.field import StrawberryField

__all__ = ["install_direct_resolvers"]

_SCALARS: tuple[object, ...] = (str, int, float, bool)


def _is_plain_scalar(annotation: object) -> bool:
    if isinstance(annotation, StrawberryOptional):
        annotation = annotation.of_type
    return annotation in _SCALARS


def _direct(field: StrawberryField, graphql_names: Mapping[str, str]) -> Callable[..., Any] | None:
    """A graphql-core resolver that calls the field's method directly, or ``None``."""
    resolver = field.base_resolver
    if field.extensions or field.permission_classes:
        return None
    if resolver is None:
        name = field.python_name

        def attribute(source: Any, _info: Any) -> Any:
            return getattr(source, name)

        return attribute
    if (
        resolver.is_async
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.self_parameter is None
    ):
        return None
    if not all(_is_plain_scalar(a.type) for a in resolver.arguments):
        return None
    wrapped = resolver.wrapped_func
    if isinstance(wrapped, staticmethod | classmethod):
        return None
    func: Callable[..., Any] = wrapped
    renames = {
        graphql_names[a.python_name]: a.python_name
        for a in resolver.arguments
        if graphql_names[a.python_name] != a.python_name
    }
    if not resolver.arguments:

        def call_plain(source: Any, _info: Any) -> Any:
            return func(source)

        return call_plain
    if not renames:

        def call(source: Any, _info: Any, **arguments: Any) -> Any:
            return func(source, **arguments)

        return call

    def call_renamed(source: Any, _info: Any, **arguments: Any) -> Any:
        return func(source, **{renames.get(k, k): v for k, v in arguments.items()})

    return call_renamed


def install_direct_resolvers(schema: strawberry.Schema, modules: Iterable[str]) -> int:
    """Give the eligible fields of the object types defined in ``modules`` direct resolvers.

    Returns the number of fields changed. Call once, right after building ``schema``; every
    execution path (HTTP, ``execute_sync``) shares the compiled schema and so the resolvers.
    """
    prefixes = tuple(modules)
    converter = schema.config.name_converter
    changed = 0
    for name, concrete in schema.schema_converter.type_map.items():
        definition = concrete.definition
        if not isinstance(definition, StrawberryObjectDefinition) or definition.is_interface:
            continue
        origin = (definition.concrete_of or definition).origin  # generics: the generic class
        if not origin.__module__.startswith(prefixes):
            continue
        compiled = schema._schema.type_map.get(name)
        if not isinstance(compiled, GraphQLObjectType):
            continue
        for field in definition.fields:
            target = compiled.fields.get(converter.get_graphql_name(field))
            if target is None:
                continue
            arguments = field.base_resolver.arguments if field.base_resolver else []
            names = {a.python_name: converter.get_graphql_name(a) for a in arguments}
            direct = _direct(field, names)
            if direct is not None:
                target.resolve = direct
                changed += 1
        if definition.is_type_of is None:
            compiled.is_type_of = None
    return changed
