"""Compiled execution plans: run a validated query without graphql-core's per-field machinery.

graphql-core executes every field through several generic steps (build a resolve info, coerce
the arguments, check the value's type, collect the sub-fields), which costs more than the
read-model resolvers themselves. A :class:`Plan` does that work once per document: it collects
the fields of every selection set for each concrete type, coerces literal arguments, and picks a
completion function per return type. Executing it calls the resolvers and builds the response
dictionary directly.

A plan covers the success path of a query only. Whenever something needs the full executor it
gives up, and the caller runs graphql-core instead (:func:`execute_fast` does both), which
produces exactly the answer and the errors the specification asks for. Read-only queries are safe
to run twice. It gives up when:

- the operation is not a query, or it selects introspection fields other than ``__typename``;
- the document uses directives other than ``@skip``/``@include``, or fragment variables;
- the variables do not coerce, a resolver raises or returns an awaitable, a non-null field
  resolves to null, or an abstract type's object is not a Strawberry object;
- the execution's abort signal fired (the full executor then reports the limit);
- the plan has held the event loop too long (``Deadline.held_too_long``): the full executor,
  which hands the loop over every few milliseconds, does the rest.

Resolvers marked by :mod:`graphsvc.api.server.fast` and Strawberry's plain attribute fields are called
without a resolve info; any other resolver gets one equivalent to the one graphql-core builds.
Arguments are coerced once per execution and field node, not once per item.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from graphql.language import Visitor, visit
from graphql.pyutils import Path
from graphql.type import GraphQLIncludeDirective, GraphQLSkipDirective

__all__ = ["DIRECT", "DIRECT_WITH_INFO", "METHOD", "Plan", "compile_plan"]

DIRECT = "_graphsvc_direct"
"""Attribute that marks a resolver which ignores its resolve info (see :mod:`graphsvc.api.server.fast`)."""
DIRECT_WITH_INFO = "_graphsvc_direct_info"
"""Attribute that marks a direct resolver which reads ``context`` from its resolve info."""
METHOD = "_graphsvc_method"
"""Attribute of a direct resolver that holds the method it calls as ``method(source, **args)``
(arguments unchanged); a plan calls the method itself."""


class _GiveUp(Exception):
    """The plan cannot answer this execution; run the full executor."""


class _ResolveInfo(NamedTuple):
    """The resolve info graphql-core and Strawberry's execution context give a resolver."""

    field_name: str
    field_nodes: list[FieldNode]
    return_type: GraphQLOutputType
    parent_type: GraphQLObjectType
    path: Path
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    root_value: Any
    operation: OperationDefinitionNode
    variable_values: dict[str, Any]
    context: Any
    is_awaitable: Callable[[Any], bool]
    abort_signal: Any
    async_helpers: Any
    operation_extensions: dict[str, Any] | None


@dataclass(slots=True, eq=False)
class _Field:
    key: str
    name: str
    nodes: list[FieldNode]
    definition: GraphQLField | None  # None for __typename
    parent: GraphQLObjectType
    resolve: Callable[..., Any] | None
    needs_info: bool
    static_args: dict[str, Any] | None
    non_null: bool
    complete: Callable[[_Run, Any], Any]


_Row = tuple[
    str,  # response key
    Callable[..., Any] | None,  # resolver; None for __typename
    int,  # how to call it: _METHOD, _METHOD_STATIC, _PLAIN, _STATIC, _DYNAMIC or _INFO
    dict[str, Any] | None,  # static arguments
    bool,  # non-null
    Callable[["_Run", Any], Any],  # completion
    _Field,
]
_METHOD, _METHOD_STATIC, _PLAIN, _STATIC, _DYNAMIC, _INFO = range(6)


def _row(f: _Field) -> _Row:
    resolve = f.resolve
    method = getattr(resolve, METHOD, None)
    if f.needs_info:
        how = _INFO
    elif f.static_args is None:
        how = _DYNAMIC
    elif method is not None:
        how = _METHOD_STATIC if f.static_args else _METHOD
        resolve = method
    elif f.static_args:
        how = _STATIC
    else:
        how = _PLAIN
    return (f.key, resolve, how, f.static_args, f.non_null, f.complete, f)


@dataclass(slots=True)
class _Run:
    """The state of one execution."""

    plan: Plan
    context: Any
    variables: VariableValues
    signal: Any
    args: dict[int, dict[str, Any]] = field(default_factory=dict)
    path: list[str | int] = field(default_factory=list)
    poll: Callable[[], bool] | None = None  # limits.Deadline.checkpoint reads the clock less
    held: Callable[[], bool] | None = None  # limits.Deadline.held_too_long

    def check(self) -> None:
        signal = self.signal
        if signal is not None and (self.poll() if self.poll is not None else signal.aborted):
            raise _GiveUp
        if self.held is not None and self.held():
            raise _GiveUp  # the paced executor finishes it, handing the loop over as it goes

    def arguments(self, f: _Field) -> dict[str, Any]:
        found = self.args.get(id(f))
        if found is None:
            assert f.definition is not None
            found = self.args[id(f)] = get_argument_values(f.definition, f.nodes[0], self.variables)
        return found

    def info(self, f: _Field) -> _ResolveInfo:
        path: Path | None = None
        for key in self.path:
            path = Path(path, key, None)
        assert f.definition is not None and path is not None
        plan = self.plan
        return _ResolveInfo(
            f.name,
            f.nodes,
            f.definition.type,
            f.parent,
            path,
            plan.schema,
            plan.fragments,
            None,
            plan.operation,
            self.variables.coerced,
            self.context,
            inspect.isawaitable,
            self.signal,
            None,
            None,
        )


def _uses_variables(nodes: list[FieldNode]) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, node: VariableNode, *_: Any) -> None:
            nonlocal found
            found = True

    for node in nodes:
        for argument in node.arguments or ():
            visit(argument, Finder())
    return found


_EMPTY_VARIABLES = VariableValues({}, {})


class Plan:
    """The compiled form of one query operation; :meth:`execute` runs it."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema = schema
        self.document = document
        self.operation = operation
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        root = schema.query_type
        assert root is not None
        self.root = root
        if operation.directives:
            raise _GiveUp
        # conditions on variables make the collected fields depend on those variables
        self._conditions = tuple(
            sorted(self._condition_variables(operation.selection_set, set(), set()))
        )
        self._variants: dict[tuple[Any, ...], tuple[_Row, ...]] = {}
        self._objects: dict[tuple[str, tuple[int, ...], tuple[Any, ...]], tuple[_Row, ...]] = {}

    # -- compiling ---------------------------------------------------------------------------

    def _condition_variables(
        self, selection_set: SelectionSetNode | None, seen: set[str], found: set[str]
    ) -> set[str]:
        """Names of the variables ``@skip``/``@include`` read; gives up on other directives."""
        if selection_set is None:
            return found
        for selection in selection_set.selections:
            for directive in selection.directives or ():
                if directive.name.value not in ("skip", "include"):
                    raise _GiveUp
                for argument in directive.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        found.add(argument.value.name.value)
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen:
                    continue
                seen.add(name)
                fragment = self.fragments.get(name)
                if fragment is None or fragment.variable_definitions or fragment.directives:
                    raise _GiveUp
                self._condition_variables(fragment.selection_set, seen, found)
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                self._condition_variables(selection.selection_set, seen, found)
        return found

    def _included(self, node: Any, variables: VariableValues) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, variables)
        if skip is not None and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, variables)
        return not (include is not None and include["if"] is False)

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        variables: VariableValues,
    ) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}
        seen: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection, variables):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, parent):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in seen:
                        continue
                    seen.add(name)
                    fragment = self.fragments[name]
                    if self._applies(fragment.type_condition, parent):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return fields

    def _applies(self, condition: Any, parent: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        target = self.schema.get_type(condition.name.value)
        if target is parent:
            return True
        return is_abstract_type(target) and self.schema.is_sub_type(target, parent)

    def _fields(
        self,
        parent: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        variables: VariableValues,
        variant: tuple[Any, ...],
    ) -> tuple[_Row, ...]:
        key = (parent.name, tuple(id(s) for s in selection_sets), variant)
        found = self._objects.get(key)
        if found is not None:
            return found
        out = []
        for response_key, nodes in self._collect(parent, selection_sets, variables).items():
            name = nodes[0].name.value
            if name == "__typename":
                typename = parent.name
                out.append(
                    _Field(
                        response_key,
                        name,
                        nodes,
                        None,
                        parent,
                        None,
                        False,
                        None,
                        True,
                        _constant(typename),
                    )
                )
                continue
            if name.startswith("__"):
                raise _GiveUp  # introspection
            definition = parent.fields[name]
            resolve = definition.resolve
            needs_info = not (
                resolve is None
                or getattr(resolve, DIRECT, False)
                or getattr(resolve, "_is_default", False)
            )
            if resolve is None:
                resolve = _attribute(name)
            static = (
                None
                if _uses_variables(nodes)
                else get_argument_values(definition, nodes[0], _EMPTY_VARIABLES)
            )
            sub_sets = [n.selection_set for n in nodes if n.selection_set is not None]
            # a null for a non-null field is caught by _execute_object; complete the inner type
            field_type = definition.type
            if isinstance(field_type, GraphQLNonNull):
                field_type = field_type.of_type
            complete = self._completer(field_type, sub_sets, variables, variant)
            out.append(
                _Field(
                    response_key,
                    name,
                    nodes,
                    definition,
                    parent,
                    resolve,
                    needs_info,
                    static,
                    isinstance(definition.type, GraphQLNonNull),
                    complete,
                )
            )
        fields = tuple(_row(f) for f in out)
        self._objects[key] = fields
        return fields

    def _completer(
        self,
        type_: GraphQLOutputType,
        sub_sets: list[SelectionSetNode],
        variables: VariableValues,
        variant: tuple[Any, ...],
    ) -> Callable[[_Run, Any], Any]:
        if isinstance(type_, GraphQLNonNull):
            inner = self._completer(type_.of_type, sub_sets, variables, variant)

            def non_null(run: _Run, value: Any) -> Any:
                if value is None:
                    raise _GiveUp
                return inner(run, value)

            return non_null
        if isinstance(type_, GraphQLList):
            item_type = type_.of_type
            nullable_items = not isinstance(item_type, GraphQLNonNull)
            if not nullable_items:
                item_type = item_type.of_type
            item = self._completer(item_type, sub_sets, variables, variant)

            def listed(run: _Run, value: Any) -> Any:
                out: list[Any] = []
                path = run.path
                for i, x in enumerate(value):
                    if x is None:
                        if not nullable_items:
                            raise _GiveUp
                        out.append(None)
                        continue
                    path.append(i)
                    out.append(item(run, x))
                    path.pop()
                return out

            return listed
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            serialize = type_.serialize
            exact = {"String": str, "ID": str, "Int": int, "Boolean": bool}.get(type_.name)
            if exact is not None:

                def leaf(run: _Run, value: Any) -> Any:
                    return value if type(value) is exact else serialize(value)

                return leaf
            return lambda run, value: serialize(value)
        if isinstance(type_, GraphQLObjectType):
            object_type = type_
            cache: list[tuple[_Row, ...]] = []

            is_type_of = object_type.is_type_of

            def obj(run: _Run, value: Any) -> Any:
                if is_type_of is not None and not is_type_of(value, None):  # type: ignore[arg-type]
                    raise _GiveUp
                if not cache:
                    cache.append(self._fields(object_type, sub_sets, variables, variant))
                return _execute_object(run, cache[0], value)

            return obj
        assert is_abstract_type(type_)
        abstract: GraphQLAbstractType = type_
        by_class: dict[type, tuple[_Row, ...]] = {}

        def abstract_value(run: _Run, value: Any) -> Any:
            fields = by_class.get(type(value))
            if fields is None:
                concrete = self._concrete(abstract, value)
                fields = by_class[type(value)] = self._fields(
                    concrete, sub_sets, variables, variant
                )
            return _execute_object(run, fields, value)

        return abstract_value

    def _concrete(self, abstract: GraphQLAbstractType, value: Any) -> GraphQLObjectType:
        definition = getattr(type(value), "__strawberry_definition__", None)
        if definition is None or definition.is_graphql_generic or definition.is_interface:
            raise _GiveUp
        found = self.schema.get_type(definition.name)
        if not isinstance(found, GraphQLObjectType) or not self.schema.is_sub_type(abstract, found):
            raise _GiveUp
        return found

    # -- executing ---------------------------------------------------------------------------

    def execute(
        self, context: Any, variables: Mapping[str, Any] | None, signal: Any = None
    ) -> ExecutionResult | None:
        """The result, or ``None`` when the full executor must answer (see the module doc)."""
        coerced = get_variable_values(
            self.schema, self.operation.variable_definitions or (), dict(variables or {})
        )
        if not isinstance(coerced, VariableValues):
            return None
        try:
            variant = self._variant(coerced)
            fields = self._variants.get(variant)
            if fields is None:
                fields = self._fields(self.root, [self.operation.selection_set], coerced, variant)
                self._variants[variant] = fields
            run = _Run(
                self,
                context,
                coerced,
                signal,
                poll=getattr(signal, "checkpoint", None),
                held=getattr(signal, "held_too_long", None),
            )
            data = _execute_object(run, fields, None)
        except _GiveUp:
            return None
        except Exception:  # the full executor reports it, located
            return None
        return ExecutionResult(data, None)

    def _variant(self, variables: VariableValues) -> tuple[Any, ...]:
        if not self._conditions:
            return ()
        coerced = variables.coerced
        return tuple(coerced.get(name) is True for name in self._conditions)


def _constant(value: str) -> Callable[[_Run, Any], Any]:
    def complete(run: _Run, _value: Any) -> Any:
        return value

    return complete


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: Any) -> Any:
        if isinstance(source, Mapping):
            return source.get(name)
        value = getattr(source, name, None)
        if callable(value):
            raise _GiveUp  # graphql-core would call it with the info
        return value

    return resolve


def _execute_object(run: _Run, fields: tuple[_Row, ...], source: Any) -> dict[str, Any]:
    if run.signal is not None:
        run.check()
    out: dict[str, Any] = {}
    path = run.path
    for key, resolve, how, static, non_null, complete, f in fields:
        if resolve is None:  # __typename
            out[key] = complete(run, None)
            continue
        path.append(key)
        if how == _METHOD:
            value = resolve(source)
        elif how == _METHOD_STATIC:
            value = resolve(source, **static)  # type: ignore[arg-type]
        elif how == _PLAIN:
            value = resolve(source, None)
        elif how == _STATIC:
            value = resolve(source, None, **static)  # type: ignore[arg-type]
        elif how == _DYNAMIC:
            value = resolve(source, None, **run.arguments(f))
        else:
            args = static if static is not None else run.arguments(f)
            value = resolve(source, run.info(f), **args)
            if inspect.isawaitable(value):
                if inspect.iscoroutine(value):
                    value.close()
                raise _GiveUp
        if value is None:
            if non_null:
                raise _GiveUp
            out[key] = None
        else:
            out[key] = complete(run, value)
        path.pop()
    return out


def compile_plan(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> Plan | None:
    """A plan for ``operation`` of a validated ``document``, or ``None`` if it needs the full
    executor every time (a mutation, introspection, other directives)."""
    if operation.operation is not OperationType.QUERY:
        return None
    try:
        return Plan(schema, document, operation)
    except _GiveUp:
        return None
