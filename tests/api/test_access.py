"""Bearer token access and hostile requests: refused cleanly, the server carries on."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query

from api.app import MAX_BODY
from api.graphql.schema import MAX_ALIASES
from tests.api.conftest import Graphql, graphql_app
from tests.ledger import Ledger

TOKEN = "t0ken-for-tests"
QUERY = {"query": "{ stations { edges { node { id } } } }"}


@pytest.fixture
async def guarded(ledger: Ledger, aiohttp_client: Any) -> Any:
    return await aiohttp_client(graphql_app(ledger, api_token=TOKEN))


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer"]
)
async def test_without_the_bearer_token_the_answer_is_401(
    guarded: Any, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await guarded.post("/graphql", json=QUERY, headers=headers)

    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "errors" in await response.json()


async def test_with_the_bearer_token_queries_are_answered(guarded: Any) -> None:
    response = await guarded.post(
        "/graphql", json=QUERY, headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert response.status == 200
    assert await response.json() == {"data": {"stations": {"edges": []}}}


async def test_graphiql_page_is_served_to_browsers(guarded: Any) -> None:
    response = await guarded.get("/graphql", headers={"Accept": "text/html"})

    assert response.status == 200
    assert "graphiql" in (await response.text()).lower()


async def test_first_beyond_the_bound_is_an_error(graphql: Graphql) -> None:
    result = await graphql("{ transactions(first: 501) { edges { cursor } } }")

    assert result["errors"][0]["message"] == "first must be between 0 and 500"


async def test_a_forged_cursor_is_an_error(graphql: Graphql) -> None:
    result = await graphql('{ idTags(after: "bm90IGEgY3Vyc29y") { edges { cursor } } }')

    assert result["errors"][0]["message"] == "invalid cursor"


async def test_too_deep_introspection_is_refused(graphql: Graphql) -> None:
    nested = "fields { type { " * 5 + "name" + " } }" * 5
    result = await graphql(f"{{ __schema {{ types {{ {nested} }} }} }}")

    assert "data" not in result or result["data"] is None
    assert "introspection" in result["errors"][0]["message"].lower()


async def test_alias_floods_are_refused(graphql: Graphql) -> None:
    aliases = " ".join(
        f"a{n}: stations {{ edges {{ cursor }} }}" for n in range(MAX_ALIASES + 1)
    )
    result = await graphql(f"{{ {aliases} }}")

    assert "aliases" in result["errors"][0]["message"]


async def test_an_oversized_request_is_refused_and_the_server_survives(
    client: Any, graphql: Graphql
) -> None:
    padding = " " * (MAX_BODY + 1)
    response = await client.post(
        "/graphql", json={"query": "{ stations { edges { cursor } } }" + padding}
    )
    assert response.status == 413
    broken = await client.post(
        "/graphql", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status == 400

    assert (await graphql(QUERY["query"]))["data"] == {"stations": {"edges": []}}


class BrokenQueries:
    """Our own port failing (a lost database): its message must not reach clients."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: object, **kwargs: object) -> None:
            raise RuntimeError("connection to db-secret.internal failed")

        return fail


async def test_unexpected_failures_are_masked(
    ledger: Ledger, aiohttp_client: Any
) -> None:
    client = await aiohttp_client(graphql_app(ledger, queries=BrokenQueries()))  # type: ignore[arg-type]
    response = await client.post(
        "/graphql", json={"query": '{ station(id: "CP-1") { id } }'}
    )

    assert response.status == 200
    assert (await response.json())["errors"][0]["message"] == "Unexpected error."


async def test_the_full_introspection_query_of_graphiql_passes_the_limits(
    graphql: Graphql,
) -> None:
    result = await graphql(get_introspection_query(descriptions=True))

    assert "errors" not in result
    assert result["data"]["__schema"]["queryType"]["name"] == "Query"
