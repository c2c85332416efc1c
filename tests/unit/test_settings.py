"""Configuration: flags over CHARGELEDGER_* variables; unsafe binds are refused."""

from __future__ import annotations

import pytest

from ops.cli import main
from ops.settings import from_environment


def test_environment_variables_are_read_with_their_types() -> None:
    settings = from_environment({
        "CHARGELEDGER_DATABASE_URL": "postgresql://postgres@db/csms",
        "CHARGELEDGER_PORT": "9000", "CHARGELEDGER_CERTIFICATION": "true",
        "CHARGELEDGER_CALL_TIMEOUT": "2.5", "OTHER": "ignored",
    })  # fmt: skip
    assert settings.database == "postgresql://postgres@db/csms" and settings.is_postgres
    assert (settings.port, settings.certification, settings.call_timeout) == (9000, True, 2.5)
    assert not settings.policy().refuse_concurrent_tx


def test_defaults_are_the_documented_ones() -> None:
    settings = from_environment({})
    assert (settings.host, settings.port, settings.database) == (
        "127.0.0.1", 8180, "./chargeledger.sqlite3")
    assert settings.unknown_stations == "reject" and settings.is_loopback


def test_serve_refuses_a_public_bind_without_an_api_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "CHARGELEDGER_API_TOKEN" in capsys.readouterr().err
