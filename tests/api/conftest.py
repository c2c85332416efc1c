"""GraphQL over real HTTP: an aiohttp app with /graphql on a running ledger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from api.app import add_graphql_routes
from projections.queries import Queries
from tests.ledger import Ledger

Graphql = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def ledger(sqlite_url: str) -> Iterator[Ledger]:
    # The API is store-agnostic; the view contracts run on both stores elsewhere.
    with Ledger.open(sqlite_url) as running:
        yield running


def graphql_app(
    ledger: Ledger, api_token: str | None = None, queries: Queries | None = None
) -> web.Application:
    app = web.Application()
    add_graphql_routes(
        app,
        queries=queries or ledger.queries,
        writer=ledger.writer,
        follower=ledger.follower,
        api_token=api_token,
    )
    return app


@pytest.fixture
async def client(ledger: Ledger, aiohttp_client: Any) -> TestClient[Any, Any]:
    return await aiohttp_client(graphql_app(ledger))  # type: ignore[no-any-return]


@pytest.fixture
def graphql(client: TestClient[Any, Any]) -> Graphql:
    async def post(query: str, **variables: Any) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.status == 200, await response.text()
        return await response.json()  # type: ignore[no-any-return]

    return post
