"""The schema: Query and Mutation roots, the DateTime scalar, limits on hostile queries.

Query and Mutation are composed from per-topic classes so later features add a class
here instead of growing one root.
"""

from __future__ import annotations

import logging
from datetime import datetime

import strawberry
from graphql import GraphQLError
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from api.graphql.context import ApiError
from api.graphql.history import HistoryQuery
from api.graphql.live import EVENT_TYPES, Subscription
from api.graphql.mutations import StationMutations
from api.graphql.operator import OperatorMutations
from api.graphql.queries import Query
from api.graphql.scalars import DATETIME

MAX_DEPTH = 10
MAX_TOKENS = 5000
MAX_ALIASES = 30
QUERIES: tuple[type, ...] = (Query, HistoryQuery)
MUTATIONS: tuple[type, ...] = (StationMutations, OperatorMutations)
log = logging.getLogger(__name__)


class CsmsSchema(strawberry.Schema):
    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        # Client mistakes are answered, not logged with tracebacks (a log flood vector).
        for error in errors:
            if _unexpected(error):
                StrawberryLogger.error(error, execution_context)
            else:
                log.debug("GraphQL request refused: %s", error.message)


def build_schema(
    mutations: tuple[type, ...] = MUTATIONS, subscription: type | None = Subscription
) -> strawberry.Schema:
    return CsmsSchema(
        query=merge_types("Query", QUERIES),
        mutation=merge_types("Mutation", mutations),
        subscription=subscription,
        types=EVENT_TYPES,  # reached through the StationEvent interface only
        config=StrawberryConfig(scalar_map={datetime: DATETIME}),
        extensions=[
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            # Introspection is exempt from the depth limit; graphql-core's recommended
            # rule bounds its nesting (`fields { type { fields … } } }`).
            lambda: AddValidationRules([MaxIntrospectionDepthRule]),
            lambda: MaskErrors(should_mask_error=_unexpected),
        ],
    )


def _unexpected(error: GraphQLError) -> bool:
    # Validation and argument errors have no original error; ours are ApiError.
    original = error.original_error
    return original is not None and not isinstance(original, (ApiError, GraphQLError))
