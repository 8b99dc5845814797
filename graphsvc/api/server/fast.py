"""Direct resolvers for the read-model types: skip Strawberry's per-call wrapper where it adds nothing.

Strawberry resolves a field that has a resolver through several layers: it builds an ``Info``,
converts the arguments, chains the field extensions and only then calls the method. For the
fields of this package's read-model modules none of that changes the result, so
:func:`install_direct_resolvers` replaces their compiled graphql-core resolvers with a direct call
``method(source, **arguments)``: arguments are converted by a function built once per field
(enums to their member, input objects to their input class, scalars as graphql-core parsed
them). A resolver that takes ``info`` receives graphql-core's resolve info, which has the same
``context``: such resolvers may read ``info.context`` and nothing else. Fields without a resolver
become a plain ``getattr``. The SDL, defaults and error handling are unchanged.

A field keeps Strawberry's resolver when its resolver is defined outside the given modules, is
async, asks for the root, has field extensions or permission classes, or takes an argument whose
type has no converter. Object types of the given modules also drop the ``is_type_of`` check
(graphql-core calls it for every object). Direct resolvers are marked (:data:`~graphsvc.api.server.plan.DIRECT`)
so that an execution plan can call them without building a resolve info.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import (
    StrawberryList,
    StrawberryObjectDefinition,
    StrawberryOptional,
    get_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField

from graphsvc.api.server.plan import DIRECT, DIRECT_WITH_INFO, METHOD

__all__ = ["install_direct_resolvers"]

_SCALARS: tuple[object, ...] = (str, int, float, bool)


Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(annotation: object, converter: NameConverter) -> Convert | None:
    """A function from graphql-core's coerced argument value to the resolver's Python value.

    Scalars (graphql-core already parsed them) stay as they are; enums become their Python
    member; input objects their Strawberry input class. ``None`` for anything else.
    """
    if isinstance(annotation, StrawberryOptional):
        inner = _converter(annotation.of_type, converter)
        if inner is None:
            return None
        if inner is _identity:
            return _identity
        return lambda v: None if v is None else inner(v)
    if isinstance(annotation, StrawberryList):
        item = _converter(annotation.of_type, converter)
        if item is None:
            return None
        if item is _identity:
            return _identity
        return lambda v: None if v is None else [None if x is None else item(x) for x in v]
    if isinstance(annotation, StrawberryEnumDefinition):
        enum_class = annotation.wrapped_cls
        return lambda v: None if v is None else enum_class(v)
    if isinstance(annotation, type):
        definition = get_object_definition(annotation)
        if definition is None:  # a scalar: graphql-core has parsed it already
            return _identity
        if not definition.is_input:
            return None
        fields: dict[str, tuple[str, Convert]] = {}
        for f in definition.fields:
            convert = _converter(f.type, converter)
            if convert is None:
                return None
            fields[converter.get_graphql_name(f)] = (f.python_name, convert)
        cls = annotation

        def to_input(value: Any) -> Any:
            return cls(**{fields[k][0]: fields[k][1](v) for k, v in value.items() if k in fields})

        return to_input
    # NewType scalars such as strawberry.ID
    return _identity if callable(annotation) and hasattr(annotation, "__supertype__") else None


def _mark(resolve: Callable[..., Any], flag: str) -> Callable[..., Any]:
    setattr(resolve, flag, True)
    return resolve


def _direct(
    field: StrawberryField, converter: NameConverter, prefixes: tuple[str, ...], owner: str
) -> Callable[..., Any] | None:
    """A graphql-core resolver that calls the field's method directly, or ``None``."""
    resolver = field.base_resolver
    if field.extensions or field.permission_classes:
        return None
    if resolver is None:
        if not owner.startswith(prefixes):
            return None
        name = field.python_name

        def attribute(source: Any, _info: Any) -> Any:
            return getattr(source, name)

        return _mark(attribute, DIRECT)
    wrapped = resolver.wrapped_func
    if isinstance(wrapped, staticmethod | classmethod):
        return None
    func: Callable[..., Any] = wrapped
    if (
        not getattr(func, "__module__", "").startswith(prefixes)
        or resolver.is_async
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.self_parameter is None
    ):
        return None
    info = resolver.info_parameter.name if resolver.info_parameter is not None else None
    plan: list[tuple[str, str, Convert]] = []
    for argument in resolver.arguments:
        convert = _converter(argument.type, converter)
        if convert is None:
            return None
        plan.append((converter.get_graphql_name(argument), argument.python_name, convert))
    simple = all(g == p and c is _identity for g, p, c in plan)
    converters = {g: (p, c) for g, p, c in plan}

    if info is None and not plan:

        def call_plain(source: Any, _info: Any) -> Any:
            return func(source)

        setattr(call_plain, METHOD, func)
        return _mark(call_plain, DIRECT)
    if info is None and simple:

        def call(source: Any, _info: Any, **arguments: Any) -> Any:
            return func(source, **arguments)

        setattr(call, METHOD, func)
        return _mark(call, DIRECT)

    def convert_all(arguments: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in arguments.items():
            python_name, to_python = converters[key]
            out[python_name] = to_python(value)
        return out

    if info is None:

        def call_converted(source: Any, _info: Any, **arguments: Any) -> Any:
            return func(source, **convert_all(arguments))

        return _mark(call_converted, DIRECT)
    info_name = info

    def call_with_info(source: Any, resolve_info: Any, **arguments: Any) -> Any:
        return func(source, **{info_name: resolve_info}, **convert_all(arguments))

    return _mark(call_with_info, DIRECT_WITH_INFO)


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
        owner = origin.__module__
        compiled = schema._schema.type_map.get(name)
        if not isinstance(compiled, GraphQLObjectType):
            continue
        for field in definition.fields:
            target = compiled.fields.get(converter.get_graphql_name(field))
            if target is None:
                continue
            direct = _direct(field, converter, prefixes, owner)
            if direct is not None:
                target.resolve = direct
                changed += 1
        if definition.is_type_of is None and owner.startswith(prefixes):
            compiled.is_type_of = None
    return changed
