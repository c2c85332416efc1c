"""ChargingProfileInput: OCPP 1.6 csChargingProfiles in full (Spec §7.8, §7.13, §7.14),
shared by RemoteStartTransaction and the smart-charging operations.

Fields left out stay out of the CALL (TC_056/TC_059 check omissions, trap T5); limits
are sent rounded to one decimal (schema multipleOf 0.1, rules §10.9).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from api.graphql import enums as e
from domain.timestamps import iso_utc


@strawberry.input(description="One period of a schedule (OCPP 1.6 §7.14).")
class ChargingSchedulePeriodInput:
    start_period: int = strawberry.field(
        description="Seconds from the schedule start; "
        "the first period starts at 0 (E16 §3.45)."
    )
    limit: float = strawberry.field(
        description="In the schedule's unit; sent rounded to one decimal."
    )
    number_phases: int | None = None

    def to_ocpp(self) -> dict[str, Any]:
        return {
            "startPeriod": self.start_period,
            "limit": _one_decimal(self.limit),
            "numberPhases": self.number_phases,
        }


@strawberry.input(description="A charging schedule (OCPP 1.6 §7.13).")
class ChargingScheduleInput:
    charging_rate_unit: e.ChargingRateUnitType
    charging_schedule_period: list[ChargingSchedulePeriodInput]
    duration: int | None = None
    start_schedule: datetime | None = strawberry.field(
        default=None, description="Leave out for Relative profiles (rules §10.8)."
    )
    min_charging_rate: float | None = None

    def to_ocpp(self) -> dict[str, Any]:
        return {
            "duration": self.duration,
            "startSchedule": _time(self.start_schedule),
            "chargingRateUnit": self.charging_rate_unit.value,
            "chargingSchedulePeriod": [
                p.to_ocpp() for p in self.charging_schedule_period
            ],
            "minChargingRate": _one_decimal(self.min_charging_rate),
        }


@strawberry.input(description="A charging profile (OCPP 1.6 §7.8), every field free.")
class ChargingProfileInput:
    charging_profile_id: int
    stack_level: int
    charging_profile_purpose: e.ChargingProfilePurposeType
    charging_profile_kind: e.ChargingProfileKindType
    charging_schedule: ChargingScheduleInput
    transaction_id: int | None = strawberry.field(
        default=None,
        description="Leave out in RemoteStartTransaction (E16 §3.41, TC_059).",
    )
    recurrency_kind: e.RecurrencyKindType | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None

    def to_ocpp(self) -> dict[str, Any]:
        return {
            "chargingProfileId": self.charging_profile_id,
            "transactionId": self.transaction_id,
            "stackLevel": self.stack_level,
            "chargingProfilePurpose": self.charging_profile_purpose.value,
            "chargingProfileKind": self.charging_profile_kind.value,
            "recurrencyKind": _value(self.recurrency_kind),
            "validFrom": _time(self.valid_from),
            "validTo": _time(self.valid_to),
            "chargingSchedule": self.charging_schedule.to_ocpp(),
        }


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _time(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def _value(value: e.RecurrencyKindType | None) -> str | None:
    return None if value is None else value.value
