"""Run GraphQL documents fast and safely: cached parsing and validation, limits, masked errors.

The HTTP view calls graphql-core directly on the Strawberry schema's core schema rather than going
through ``Schema.execute``: a request for a known document skips parsing, validation and the
per-request extension machinery, and pays only for execution. Strawberry resolvers, types and
field extensions work unchanged; schema-level Strawberry extensions are not run on this path.

Why not Strawberry's own ``ParserCache``, ``ValidationCache``, ``QueryDepthLimiter``,
``MaxAliasesLimiter`` and ``MaskErrors`` on ``Schema.execute``: for the typical practice-page
query over 2,192 practices, that stack takes a median of 6.4 ms per request against 0.68 ms here
(9.3x; ``python -m bench.strawberry_path``). The limiters also walk every fragment spread (see
:mod:`graphsvc.api.server.shape`), and ``MaskErrors`` gives no ``extensions.code``, which every
error here carries so a client can tell a limit from a bad query.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeGuard, cast

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import AbortedGraphQLExecutionError
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.pyutils import AbortSignal
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphsvc.api.context import Context
from graphsvc.api.server.cost import CostEstimate, IntrospectionSizes, estimate_cost
from graphsvc.api.server.limits import Deadline, limit_error
from graphsvc.api.server.plan import Plan, compile_plan
from graphsvc.api.server.shape import ShapeLimits, shape_errors
from graphsvc.errors import GraphsvcError, LimitExceeded, NotFoundError
from graphsvc.http.cache import LruCache
from graphsvc.settings import Settings

__all__ = [
    "MASKED_MESSAGE",
    "MAX_VALIDATION_ERRORS",
    "DocumentCache",
    "Executor",
    "PreparedDocument",
    "format_errors",
]

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."

MAX_VALIDATION_ERRORS = 20
"""graphql-core stops validating after this many errors ("Validation aborted")."""

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"


@dataclass(slots=True)
class PreparedDocument:
    """A parsed document and its verdict; ``errors`` are parse or validation errors."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    costs: dict[tuple[Any, ...], CostEstimate] = field(default_factory=dict)
    syntax_error: bool = False
    plans: dict[str | None, Plan | None] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode:
        """The operation to run; raises a GraphQLError when the name is missing or unknown."""
        code = {"code": "OPERATION_RESOLUTION_FAILURE"}
        if name is None and len(self.operations) > 1:
            raise GraphQLError(
                "The document has several operations: give operationName.", extensions=code
            )
        if name is None:
            return next(iter(self.operations.values()))
        found = self.operations.get(name)
        if found is None:
            raise GraphQLError(f"Unknown operation named '{name}'.", extensions=code)
        return found


class DocumentCache:
    """Parse and validate each distinct query text once (LRU keyed by the text)."""

    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.max_tokens = settings.max_query_tokens
        self.maxsize = settings.document_cache_size
        self.max_text = settings.max_cached_query_length  # a longer text is prepared every time
        self.shape_limits = ShapeLimits(
            settings.max_query_depth, settings.max_query_aliases, settings.max_field_repeats
        )
        rules: list[type[ASTValidationRule]] = list(specified_rules)
        if not settings.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self._entries = LruCache[str, PreparedDocument](self.maxsize)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str) -> PreparedDocument | None:
        """The prepared document when ``query`` was seen before."""
        return self._entries.get(query)

    def prepare(self, query: str) -> PreparedDocument:
        """Parse and validate ``query`` (cached); safe to call from worker threads."""
        entry = self._entries.get(query)
        if entry is not None:
            return entry
        entry = self._prepare(query)
        if len(query) <= self.max_text:
            self._entries.put(query, entry)
        return entry

    def _prepare(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, no_location=False, max_tokens=self.max_tokens)
        except GraphQLError as error:
            if "tokens. Parsing aborted" in error.message:
                error = limit_error(
                    f"The query has more than {self.max_tokens} tokens; "
                    f"the limit is {self.max_tokens}.",
                    "MAX_TOKENS_EXCEEDED",
                )
            return PreparedDocument(None, (_with_code(error, PARSE_FAILED),), syntax_error=True)
        try:
            # the linear limits first: a document over them never meets the slower rules
            errors = shape_errors(document, self.shape_limits) or validate(
                self.schema, document, self.rules, max_errors=MAX_VALIDATION_ERRORS
            )
        except RecursionError:
            errors = [
                limit_error(
                    "The document nests fragments or selections too deeply.",
                    "MAX_DEPTH_EXCEEDED",
                )
            ]
        operations = {
            d.name.value if d.name else None: d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        checked = tuple(_with_code(_explained(e), VALIDATION_FAILED) for e in errors)
        return PreparedDocument(document, checked, operations, fragments)


SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions are not served over HTTP: open a WebSocket to /graphql with the"
    " graphql-transport-ws protocol and subscribe there (the Subscription type of schema.graphql);"
    " HTTP /graphql takes queries and mutations."
)


def _explained(error: GraphQLError) -> GraphQLError:
    """graphql-core's bare "Validation aborted." means the nesting of fragments was too deep;
    its refusal of a subscription means one was sent over HTTP, which says where to send it."""
    if error.message.startswith("The subscription operation is not supported"):
        return GraphQLError(
            SUBSCRIPTION_OVER_HTTP, error.nodes, error.source, error.positions, error.path
        )
    if error.message == "Validation aborted.":
        return limit_error(
            "The document nests selections and fragment spreads too deeply to validate "
            f"(more than {MAX_NESTING_DEPTH} levels); spread fewer fragments inside one another.",
            "MAX_DEPTH_EXCEEDED",
        )
    return error


def _with_code(error: GraphQLError, code: str) -> GraphQLError:
    """``error`` with ``extensions.code`` set to ``code`` unless it names one already."""
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


class _DeadlineExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Checks the deadline between objects, so long synchronous executions stop early too, and
    hands the event loop over every :attr:`Deadline.SLICE` seconds, so they do not hold it."""

    def execute_fields(self, *args: Any, **kwargs: Any) -> Any:
        signal = self.abort_signal
        if isinstance(signal, Deadline):
            if signal.checkpoint():
                raise self.abort_error()
            if signal.slice_over():
                run = StrawberryGraphQLCoreExecutionContext.execute_fields
                return self._settled(signal.later(partial(run, self, *args, **kwargs)))
        return super().execute_fields(*args, **kwargs)

    async def _settled(self, deferred: Awaitable[Any]) -> Any:
        result = await deferred
        if self.is_awaitable(result):
            result = await result
        return result


class Executor:
    """Runs prepared operations with a cost limit and a deadline."""

    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.max_cost = settings.max_query_cost
        self.default_page_size = settings.default_page_size
        self.timeout = settings.request_timeout
        self.introspection = IntrospectionSizes.of(schema)

    def check_cost(
        self,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        """Raise a ``MAX_COST_EXCEEDED`` GraphQLError when the operation is too expensive."""
        name = operation.name.value if operation.name else None
        base = prepared.costs.get((name,))
        if base is None:
            # The first estimate also tells which variables (page sizes) the cost depends on.
            estimate = base = self._estimate(prepared, operation, variables)
            prepared.costs[(name,)] = base
            if base.variables:
                prepared.costs[self._cost_key(name, base, variables)] = base
        elif not base.variables:
            estimate = base
        else:
            key = self._cost_key(name, base, variables)
            found = prepared.costs.get(key)
            if found is None:
                found = self._estimate(prepared, operation, variables)
                if len(prepared.costs) < 256:
                    prepared.costs[key] = found
            estimate = found
        if estimate.cost > self.max_cost:
            raise limit_error(
                f"The query would resolve about {estimate.cost} fields; the limit is "
                f"{self.max_cost}. Ask for smaller pages (first/last) or fewer fields.",
                "MAX_COST_EXCEEDED",
                operation,
            )

    def _estimate(
        self,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> CostEstimate:
        return estimate_cost(
            self.schema,
            operation,
            prepared.fragments,
            variables,
            self.default_page_size,
            self.introspection,
        )

    async def run(
        self,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
        context: Any,
    ) -> ExecutionResult:
        assert prepared.document is not None
        deadline = Deadline(self.timeout)
        if isinstance(context, Context):
            context.deadline = deadline  # writes ask it before they commit
        # a compiled plan answers a query fast; whatever it cannot answer, graphql-core does
        name = operation.name.value if operation.name else None
        if name not in prepared.plans:
            prepared.plans[name] = compile_plan(self.schema, prepared.document, operation)
        plan = prepared.plans[name]
        if plan is not None:
            answered = plan.execute(context, variables, deadline)
            if answered is not None:
                return answered
        try:
            result = execute(
                self.schema,
                prepared.document,
                context_value=context,
                variable_values=dict(variables) if variables else None,
                operation_name=operation.name.value if operation.name else None,
                executor_class=_DeadlineExecutionContext,
                is_awaitable=cast(
                    "Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable
                ),
                abort_signal=cast("AbortSignal | None", deadline),
            )
            if not isinstance(result, ExecutionResult):
                result = await result
        except AbortedGraphQLExecutionError as aborted:
            reason = aborted.reason
            if not isinstance(reason, LimitExceeded):
                raise
            return ExecutionResult(None, [limit_error(str(reason), reason.code)])
        except LimitExceeded as reason:
            # graphql-core raises the abort reason itself when the deadline has passed before
            # the operation starts or between two fields of a synchronous execution
            return ExecutionResult(None, [limit_error(str(reason), reason.code)])
        assert isinstance(result, ExecutionResult)
        return result

    @staticmethod
    def _cost_key(
        name: str | None, base: CostEstimate, variables: Mapping[str, Any]
    ) -> tuple[Any, ...]:
        return (name, *(_hashable(variables.get(v)) for v in base.variables))

    @staticmethod
    def is_mutation(operation: OperationDefinitionNode) -> bool:
        return operation.operation == OperationType.MUTATION


def _hashable(value: Any) -> Any:
    return value if isinstance(value, int | str | float | bool | None) else repr(value)


def _code(error: GraphQLError) -> str:
    """The ``extensions.code`` of an error the client may see as it is."""
    original = error.original_error
    if isinstance(original, LimitExceeded):
        return original.code
    given = (error.extensions or {}).get("code")
    if isinstance(given, str) and given:
        return given
    if isinstance(original, NotFoundError):
        return "NOT_FOUND"
    if original is not None or error.path is None:
        # a GraphsvcError of a resolver, or variables that do not fit before execution
        return "BAD_USER_INPUT"
    return "INTERNAL_SERVER_ERROR"  # graphql-core's own complaint during execution: a bug


def format_errors(errors: Sequence[GraphQLError]) -> list[dict[str, Any]]:
    """Errors as JSON, each with an ``extensions.code``, unexpected ones masked and logged.

    An error keeps its message when it is a GraphQL error of its own (syntax, validation,
    variable coercion, a limit) or comes from a :class:`GraphsvcError`: those are the user's to
    fix. Anything else is a bug or an outage; the client sees only ``Unexpected error.``.
    """
    formatted = []
    for error in errors:
        original = error.original_error
        if original is None or isinstance(original, GraphsvcError | GraphQLError):
            item: dict[str, Any] = dict(error.formatted)
            item["extensions"] = {**(error.extensions or {}), "code": _code(error)}
            formatted.append(item)
            continue
        log.error("GraphQL resolver failed at %s", error.path, exc_info=original)
        masked = GraphQLError(
            MASKED_MESSAGE,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )
        formatted.append(dict(masked.formatted))
    return formatted
