"""Mounts /graphql (GraphiQL in a browser) on an aiohttp application."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from aiohttp import web
from strawberry.aiohttp.views import GraphQLView

from api.graphql.context import CommandSubmitter, Context, ReadModelWaiter, Services
from api.graphql.schema import build_schema

if TYPE_CHECKING:
    from projections.queries import Queries

GRAPHQL_PATH = "/graphql"
MAX_BODY = 64 * 1024  # bytes of one request: a query, its variables, nothing bigger


class CsmsGraphQLView(GraphQLView[Context, None]):
    def __init__(self, services: Services) -> None:
        # Queries via GET would be readable cross-site; POST needs a CORS preflight.
        super().__init__(
            build_schema(), graphql_ide="graphiql", allow_queries_via_get=False
        )
        self._services = services

    async def get_context(
        self, request: web.Request, response: web.StreamResponse
    ) -> Context:
        return Context(request, response, self._services)


def add_graphql_routes(
    app: web.Application,
    *,
    queries: Queries,
    writer: CommandSubmitter,
    follower: ReadModelWaiter,
    api_token: str | None,
) -> None:
    """`api_token` None leaves the API open (loopback development); otherwise every
    operation needs `Authorization: Bearer <token>`."""
    view = CsmsGraphQLView(Services(queries, writer, follower))

    async def graphql(request: web.Request) -> web.StreamResponse:
        guarded = api_token is not None and not _ide_page(request)
        if guarded and not _bearer_matches(request, api_token or ""):
            return _refuse(
                401,
                "a valid bearer token is required",
                {"WWW-Authenticate": 'Bearer realm="chargeledger"'},
            )
        if request.method == "POST" and len(await request.read()) > MAX_BODY:
            return _refuse(413, f"request larger than {MAX_BODY} bytes")
        return await view(request)

    app.router.add_route("*", GRAPHQL_PATH, graphql)


def _ide_page(request: web.Request) -> bool:
    # The GraphiQL page itself holds no data; the queries it sends carry the token.
    return (
        request.method == "GET"
        and "query" not in request.query
        and request.headers.get("Upgrade", "").lower() != "websocket"
    )


def _bearer_matches(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _refuse(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"errors": [{"message": message}]}, status=status, headers=headers
    )
