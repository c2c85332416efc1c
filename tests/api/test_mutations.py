"""GraphQL mutations over HTTP: flat arguments, read-your-writes, refusals as errors."""

from __future__ import annotations

from typing import Any

import pytest

from domain.credentials import verify_password
from tests.api.conftest import Graphql, graphql_app
from tests.ledger import Ledger

REGISTER = """mutation($id: ID!, $password: String) {
  registerStation(id: $id, password: $password) {
    pending station { id registrationStatus } } }"""

UPSERT = """mutation($idTag: String!, $status: AuthorizationStatus!,
  $expiryDate: DateTime, $parentIdTag: String, $max: Int) {
  upsertIdTag(idTag: $idTag, status: $status, expiryDate: $expiryDate,
              parentIdTag: $parentIdTag, maxActiveTransactions: $max) {
    pending idTag { idTag status expiryDate parentIdTag maxActiveTransactions } } }"""


async def test_register_station_answers_with_the_registered_station(
    ledger: Ledger, graphql: Graphql
) -> None:
    result = (await graphql(REGISTER, id="CP-1", password="s3cret"))["data"]

    assert result["registerStation"] == {
        "pending": False,
        "station": {"id": "CP-1", "registrationStatus": "Accepted"},
    }
    station = ledger.central.find_station("CP-1")
    assert station is not None and station.password_hash is not None
    assert verify_password("s3cret", station.password_hash)


async def test_register_station_without_password_means_profile_0(
    ledger: Ledger, graphql: Graphql
) -> None:
    await graphql(REGISTER, id="CP-1")

    station = ledger.central.find_station("CP-1")
    assert station is not None and station.registered and station.password_hash is None


@pytest.mark.parametrize("password", ["", "x" * 41])
async def test_an_invalid_password_is_a_graphql_error(
    ledger: Ledger, graphql: Graphql, password: str
) -> None:
    result = await graphql(REGISTER, id="CP-1", password=password)

    assert result["data"] is None
    assert "1 to 40 characters" in result["errors"][0]["message"]
    assert ledger.central.find_station("CP-1") is None


async def test_upsert_id_tag_answers_with_the_stored_tag(graphql: Graphql) -> None:
    result = await graphql(
        UPSERT,
        idTag="TAG-1",
        status="Accepted",
        expiryDate="2027-01-01T01:00:00+01:00",
        parentIdTag="GROUP",
        max=2,
    )

    assert result["data"]["upsertIdTag"] == {
        "pending": False,
        "idTag": {
            "idTag": "TAG-1",
            "status": "Accepted",
            "expiryDate": "2027-01-01T00:00:00Z",
            "parentIdTag": "GROUP",
            "maxActiveTransactions": 2,
        },
    }


async def test_upsert_replaces_every_field(graphql: Graphql) -> None:
    await graphql(UPSERT, idTag="TAG-1", status="Accepted", parentIdTag="GROUP", max=3)
    result = await graphql(UPSERT, idTag="tag-1", status="Blocked")

    assert result["data"]["upsertIdTag"]["idTag"] == {
        "idTag": "TAG-1",
        "status": "Blocked",
        "expiryDate": None,
        "parentIdTag": None,
        "maxActiveTransactions": 1,
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"idTag": "TAG-1", "status": "ConcurrentTx"}, "status"),
        ({"idTag": "T" * 21, "status": "Accepted"}, "1 to 20 characters"),
        ({"idTag": "TAG-1", "status": "Accepted", "max": 0}, "at least 1"),
        ({"idTag": "TAG-1", "status": "Accepted", "expiryDate": "soon"}, "ISO 8601"),
        ({"idTag": "TAG-1", "status": "accepted"}, "AuthorizationStatus"),
    ],
)
async def test_refused_upserts_are_graphql_errors(
    graphql: Graphql, arguments: dict[str, Any], message: str
) -> None:
    result = await graphql(UPSERT, **arguments)

    assert result.get("data") is None
    assert message in result["errors"][0]["message"]


@pytest.mark.postgres
async def test_mutations_read_their_writes_on_postgresql(
    postgres_url: str, aiohttp_client: Any
) -> None:
    with Ledger.open(postgres_url) as ledger:
        client = await aiohttp_client(graphql_app(ledger))
        response = await client.post(
            "/graphql", json={"query": REGISTER, "variables": {"id": "CP-1"}}
        )
        result = await response.json()
        await client.close()
    assert (
        result["data"]["registerStation"]["station"]["registrationStatus"] == "Accepted"
    )
