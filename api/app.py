"""Mounts /graphql (GraphiQL in a browser, subscriptions over graphql-transport-ws)
on an aiohttp application."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.graphql.context import (
    CommandSubmitter,
    Context,
    ReadModelWaiter,
    Services,
    StationGateway,
)
from api.graphql.schema import build_schema

if TYPE_CHECKING:
    from projections.live import LiveHub
    from projections.queries import Queries

GRAPHQL_PATH = "/graphql"
MAX_BODY = 64 * 1024  # bytes of one request: a query, its variables, nothing bigger
BEARER_CHECKED = web.RequestKey("bearer_checked", bool)
ACCEPT: UnsetType = UNSET  # connection_ack without a payload


class CsmsGraphQLView(GraphQLView[Context, None]):
    def __init__(self, services: Services, api_token: str | None) -> None:
        # Queries via GET would be readable cross-site; POST needs a CORS preflight.
        # WebSockets have no preflight: strawberry refuses other origins' upgrades.
        super().__init__(
            build_schema(), graphql_ide="graphiql", allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
        )  # fmt: skip
        self._services = services
        self._token = api_token

    async def get_context(
        self, request: web.Request, response: web.StreamResponse
    ) -> Context:
        return Context(request, response, self._services)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object]:
        """graphql-transport-ws: browsers cannot set headers on a WebSocket, so the
        token may come in connection_init instead: {"Authorization": "Bearer …"}."""
        if self._token is None or context.request.get(BEARER_CHECKED):
            return ACCEPT
        if _bearer_matches(_authorization(context.connection_params), self._token):
            return ACCEPT
        raise ConnectionRejectionError({"message": "a valid bearer token is required"})


def add_graphql_routes(
    app: web.Application,
    *,
    queries: Queries,
    writer: CommandSubmitter,
    follower: ReadModelWaiter,
    api_token: str | None,
    gateway: StationGateway | None = None,
    live: LiveHub | None = None,
) -> None:
    """`api_token` None leaves the API open (loopback development); otherwise every
    operation needs `Authorization: Bearer <token>`. `gateway` enables the operator
    calls to stations, `live` the stationEvents subscription."""
    services = Services(queries, writer, follower, gateway, live)
    view = CsmsGraphQLView(services, api_token)

    async def graphql(request: web.Request) -> web.StreamResponse:
        guarded = api_token is not None and not _ide_page(request)
        allowed = not guarded or _bearer_matches(
            request.headers.get("Authorization", ""), api_token or ""
        )
        # A WebSocket without the header may still present the token in its
        # connection_init; the view checks it there before anything runs.
        if not allowed and not _websocket(request):
            return _refuse(
                401,
                "a valid bearer token is required",
                {"WWW-Authenticate": 'Bearer realm="chargeledger"'},
            )
        request[BEARER_CHECKED] = allowed
        if request.method == "POST" and len(await request.read()) > MAX_BODY:
            return _refuse(413, f"request larger than {MAX_BODY} bytes")
        return await view(request)

    app.router.add_route("*", GRAPHQL_PATH, graphql)


def _websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _ide_page(request: web.Request) -> bool:
    # The GraphiQL page itself holds no data; the queries it sends carry the token.
    return request.method == "GET" and "query" not in request.query and not _websocket(
        request
    )


def _authorization(params: Mapping[str, object] | None) -> str:
    for name in ("Authorization", "authorization"):
        value = (params or {}).get(name)
        if isinstance(value, str):
            return value
    return ""


def _bearer_matches(authorization: str, token: str) -> bool:
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _refuse(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"errors": [{"message": message}]}, status=status, headers=headers
    )
