"""GraphQL queries over HTTP: names, enum spellings, times, pagination."""

from __future__ import annotations

from domain import commands as c
from tests.api.conftest import Graphql
from tests.ledger import Ledger

STATION = """query($id: ID!) { station(id: $id) {
  id registrationStatus online lastSeen vendor model firmwareVersion
  connectors { connectorId status errorCode info timestamp } } }"""

TRANSACTION = """query($n: Int!) { transaction(transactionId: $n) {
  transactionId stationId connectorId idTag meterStart meterStop energyWh startedAt
  stoppedAt stopReason active
  meterValues { timestamp
    sampledValues { value measurand unit phase context location format } } } }"""

TRANSACTIONS = """query($stationId: ID, $idTag: String, $active: Boolean,
  $from: DateTime, $to: DateTime, $first: Int!, $after: String) {
  transactions(stationId: $stationId, idTag: $idTag, active: $active, from: $from,
               to: $to, first: $first, after: $after) {
    edges { cursor node { transactionId } } pageInfo { hasNextPage endCursor } } }"""


async def test_a_station_with_ocpp_spelled_enums_and_utc_times(
    ledger: Ledger, graphql: Graphql
) -> None:
    ledger.handle(
        c.RegisterStation("CP-1"),
        c.RegisterBoot("CP-1", "ACME", "X1", {"firmwareVersion": "1.0"}),
        c.UpdateConnectorStatus(
            "CP-1",
            1,
            "SuspendedEVSE",
            "EVCommunicationError",
            "pilot",
            timestamp="2026-11-25T11:00:00+01:00",
        ),
    )

    station = (await graphql(STATION, id="CP-1"))["data"]["station"]
    assert station["registrationStatus"] == "Accepted"
    assert (station["vendor"], station["model"], station["firmwareVersion"]) == (
        "ACME",
        "X1",
        "1.0",
    )
    assert (station["online"], station["lastSeen"]) == (False, None)
    assert station["connectors"] == [
        {
            "connectorId": 1,
            "status": "SuspendedEVSE",
            "errorCode": "EVCommunicationError",
            "info": "pilot",
            "timestamp": "2026-11-25T10:00:00Z",
        }
    ]


async def test_an_unknown_id_is_null(graphql: Graphql) -> None:
    assert (await graphql(STATION, id="nobody"))["data"] == {"station": None}


async def test_stations_page_with_opaque_cursors_and_filter(
    ledger: Ledger, graphql: Graphql
) -> None:
    ledger.handle(
        *(c.RegisterStation(f"CP-{n}") for n in range(3)),
        c.RegisterBoot("CP-9", "ACME", "X9"),
    )
    query = """query($after: String, $status: RegistrationStatus) {
      stations(first: 2, after: $after, status: $status) {
        edges { cursor node { id registrationStatus } }
        pageInfo { hasNextPage endCursor } } }"""

    first = (await graphql(query))["data"]["stations"]
    assert [e["node"]["id"] for e in first["edges"]] == ["CP-0", "CP-1"]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "endCursor": first["edges"][-1]["cursor"],
    }
    assert "CP-1" not in first["pageInfo"]["endCursor"]  # opaque
    rest = (await graphql(query, after=first["pageInfo"]["endCursor"]))["data"][
        "stations"
    ]
    assert [e["node"]["id"] for e in rest["edges"]] == ["CP-2", "CP-9"]
    assert rest["pageInfo"]["hasNextPage"] is False
    rejected = (await graphql(query, status="Rejected"))["data"]["stations"]["edges"]
    assert [e["node"] for e in rejected] == [
        {"id": "CP-9", "registrationStatus": "Rejected"}
    ]


async def test_a_transaction_with_meter_values_and_ocpp_defaults(
    ledger: Ledger, graphql: Graphql
) -> None:
    ledger.handle(c.RegisterStation("CP-1"), c.UpsertIdTag("TAG-1", "Accepted"))
    (started,) = ledger.handle(
        c.StartTransaction("CP-1", 1, "TAG-1", 100, "2026-11-25T10:00:00Z")
    )
    number = started.result.transaction_id  # type: ignore[attr-defined]
    values = [
        {
            "timestamp": "2026-11-25T10:15:00.250Z",
            "sampledValue": [
                {"value": "350"},
                {
                    "value": "230.1",
                    "measurand": "Voltage",
                    "unit": "V",
                    "phase": "L1-N",
                    "context": "Sample.Clock",
                    "location": "Inlet",
                },
            ],
        }
    ]
    ledger.handle(
        c.RecordMeterValues("CP-1", 1, values, number),
        c.StopTransaction(
            "CP-1", number, 600, "2026-11-25T11:00:00Z", reason="EVDisconnected"
        ),
    )

    tx = (await graphql(TRANSACTION, n=number))["data"]["transaction"]
    assert (tx["stationId"], tx["connectorId"], tx["idTag"]) == ("CP-1", 1, "TAG-1")
    assert (tx["meterStart"], tx["meterStop"], tx["energyWh"]) == (100, 600, 500)
    assert (tx["startedAt"], tx["stoppedAt"]) == (
        "2026-11-25T10:00:00Z",
        "2026-11-25T11:00:00Z",
    )
    assert (tx["stopReason"], tx["active"]) == ("EVDisconnected", False)
    (meter_value,) = tx["meterValues"]
    assert meter_value["timestamp"] == "2026-11-25T10:15:00.250Z"
    assert meter_value["sampledValues"] == [
        {
            "value": "350",
            "measurand": "Energy.Active.Import.Register",
            "unit": "Wh",
            "phase": None,
            "context": "Sample.Periodic",
            "location": "Outlet",
            "format": "Raw",
        },
        {
            "value": "230.1",
            "measurand": "Voltage",
            "unit": "V",
            "phase": "L1-N",
            "context": "Sample.Clock",
            "location": "Inlet",
            "format": "Raw",
        },
    ]


async def test_transactions_filter_and_page(ledger: Ledger, graphql: Graphql) -> None:
    ledger.handle(
        c.RegisterStation("CP-1"),
        c.UpsertIdTag("TAG-1", "Accepted"),
        c.UpsertIdTag("TAG-2", "Accepted"),
    )
    numbers = [
        h.result.transaction_id
        for h in ledger.handle(  # type: ignore[attr-defined]
            c.StartTransaction("CP-1", 1, "TAG-1", 0, "2026-11-24T10:00:00Z"),
            c.StartTransaction("CP-1", 2, "TAG-2", 0, "2026-11-25T10:00:00Z"),
            c.StartTransaction("CP-1", 3, "TAG-1", 0, "2026-11-25T11:00:00Z"),
        )
    ]
    ledger.handle(c.StopTransaction("CP-1", numbers[0], 10, "2026-11-24T11:00:00Z"))

    async def ids(**args: object) -> list[int]:
        found = (await graphql(TRANSACTIONS, **{"first": 10, **args}))["data"]
        return [e["node"]["transactionId"] for e in found["transactions"]["edges"]]

    assert await ids() == numbers[::-1]
    assert await ids(idTag="tag-1") == [numbers[2], numbers[0]]
    assert await ids(active=True) == [numbers[2], numbers[1]]
    assert await ids(
        stationId="CP-1",
        **{"from": "2026-11-25T00:00:00Z", "to": "2026-11-25T11:00:00+00:00"},
    ) == [numbers[1]]
    page = (await graphql(TRANSACTIONS, first=2))["data"]["transactions"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert await ids(after=page["pageInfo"]["endCursor"]) == [numbers[0]]


async def test_id_tags_and_unknown_stations(ledger: Ledger, graphql: Graphql) -> None:
    ledger.handle(
        c.UpsertIdTag("TAG-1", "Blocked", "2027-01-01T00:00:00Z", "GROUP"),
        c.RegisterBoot("CP-9", "ACME", "X9"),
    )
    query = """{
      idTags(first: 10) { edges { node { idTag status expiryDate parentIdTag } } }
      unknownStations { edges { node { id attempts firstSeen lastSeen vendor model } }
                        pageInfo { hasNextPage } } }"""

    data = (await graphql(query))["data"]
    assert [e["node"] for e in data["idTags"]["edges"]] == [
        {
            "idTag": "TAG-1",
            "status": "Blocked",
            "expiryDate": "2027-01-01T00:00:00Z",
            "parentIdTag": "GROUP",
        }
    ]
    (unknown,) = [e["node"] for e in data["unknownStations"]["edges"]]
    assert (unknown["id"], unknown["attempts"], unknown["model"]) == ("CP-9", 1, "X9")
    assert unknown["firstSeen"].endswith("Z") and unknown["lastSeen"].endswith("Z")
