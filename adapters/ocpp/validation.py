"""Schema validation of payloads against the corrected OCPP 1.6 schemas of the `ocpp`
package (urn:OCPP:1.6:2019:12), compiled once, with the 1.6 error codes.

The `ocpp` package answers enum failures and extra properties with 2.x's
FormatViolation (rules §16.1); we keep its other mappings and fix those two.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import ocpp

from adapters.ocpp import errors

SCHEMAS = Path(ocpp.__file__).parent / "v16" / "schemas"

_RULE_CODES = {
    "type": errors.TYPE_CONSTRAINT_VIOLATION,
    "maxLength": errors.TYPE_CONSTRAINT_VIOLATION,
    "required": errors.PROTOCOL_ERROR,
    "enum": errors.PROPERTY_CONSTRAINT_VIOLATION,
    "additionalProperties": errors.FORMATION_VIOLATION,
}

# Station times are parsed leniently later (rules §2.5); the package's validator does
# not check formats either, so neither do we.
_FORMATS = {"date-time": lambda _: True, "uri": lambda _: True}


@functools.cache
def _validator(schema_name: str) -> Callable[[Any], Any] | None:
    path = SCHEMAS / f"{schema_name}.json"
    if not path.exists():
        return None
    schema = json.loads(path.read_text(encoding="utf-8-sig"), object_hook=_lenient)
    return fastjsonschema.compile(schema, formats=_FORMATS)  # type: ignore[no-any-return]


def _lenient(node: dict[str, Any]) -> dict[str, Any]:
    # `multipleOf: 0.1` checked in binary floating point rejects 8.1 (rules §13.10);
    # only answers from stations carry such fields, and we read them as decimals.
    node.pop("multipleOf", None)
    return node


def known_action(action: str) -> bool:
    return _validator(action) is not None


def validate_call(action: str, payload: Any) -> None:
    """Raise CallError with the 1.6 code when a CALL payload breaks its schema."""
    _validate(action, payload)


def validate_result(action: str, payload: Any) -> None:
    _validate(f"{action}Response", payload)


def _validate(schema_name: str, payload: Any) -> None:
    validator = _validator(schema_name)
    if validator is None:
        raise errors.CallError(errors.NOT_IMPLEMENTED, f"unknown action {schema_name}")
    try:
        validator(payload)
    except fastjsonschema.JsonSchemaValueException as failure:
        code = _RULE_CODES.get(failure.rule or "", errors.FORMATION_VIOLATION)
        raise errors.CallError(code, failure.message, {"field": failure.name}) from None
