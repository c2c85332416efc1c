"""OCPP 1.6 enumerations as GraphQL enums, values spelled exactly as OCPP spells them.

OCPP values that are not valid GraphQL names (measurands, phases, units, contexts,
locations, formats) are Strings instead.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="BootNotification.conf status (OCPP 1.6 §7.38).")
class RegistrationStatus(Enum):
    Accepted = "Accepted"
    Pending = "Pending"
    Rejected = "Rejected"


@strawberry.enum(description="Connector status (OCPP 1.6 §7.7).")
class ChargePointStatus(Enum):
    Available = "Available"
    Preparing = "Preparing"
    Charging = "Charging"
    SuspendedEVSE = "SuspendedEVSE"
    SuspendedEV = "SuspendedEV"
    Finishing = "Finishing"
    Reserved = "Reserved"
    Unavailable = "Unavailable"
    Faulted = "Faulted"


@strawberry.enum(description="Connector error code (OCPP 1.6 §7.6).")
class ChargePointErrorCode(Enum):
    ConnectorLockFailure = "ConnectorLockFailure"
    EVCommunicationError = "EVCommunicationError"
    GroundFailure = "GroundFailure"
    HighTemperature = "HighTemperature"
    InternalError = "InternalError"
    LocalListConflict = "LocalListConflict"
    NoError = "NoError"
    OtherError = "OtherError"
    OverCurrentFailure = "OverCurrentFailure"
    PowerMeterFailure = "PowerMeterFailure"
    PowerSwitchFailure = "PowerSwitchFailure"
    ReaderFailure = "ReaderFailure"
    ResetFailure = "ResetFailure"
    UnderVoltage = "UnderVoltage"
    OverVoltage = "OverVoltage"
    WeakSignal = "WeakSignal"


@strawberry.enum(description="IdTagInfo status (OCPP 1.6 §7.2).")
class AuthorizationStatus(Enum):
    Accepted = "Accepted"
    Blocked = "Blocked"
    Expired = "Expired"
    Invalid = "Invalid"
    ConcurrentTx = "ConcurrentTx"


@strawberry.enum(description="StopTransaction reason (OCPP 1.6 §7.36).")
class Reason(Enum):
    DeAuthorized = "DeAuthorized"
    EmergencyStop = "EmergencyStop"
    EVDisconnected = "EVDisconnected"
    HardReset = "HardReset"
    Local = "Local"
    Other = "Other"
    PowerLoss = "PowerLoss"
    Reboot = "Reboot"
    Remote = "Remote"
    SoftReset = "SoftReset"
    UnlockCommand = "UnlockCommand"


@strawberry.enum(description="DiagnosticsStatusNotification status (OCPP 1.6 §7.24).")
class DiagnosticsStatus(Enum):
    Idle = "Idle"
    Uploaded = "Uploaded"
    UploadFailed = "UploadFailed"
    Uploading = "Uploading"


@strawberry.enum(description="FirmwareStatusNotification status (OCPP 1.6 §7.25).")
class FirmwareStatus(Enum):
    Downloaded = "Downloaded"
    DownloadFailed = "DownloadFailed"
    Downloading = "Downloading"
    Idle = "Idle"
    InstallationFailed = "InstallationFailed"
    Installing = "Installing"
    Installed = "Installed"


# -- CSMS-initiated calls: arguments (OCPP 1.6 §7) ----------------------------------


@strawberry.enum(description="Reset type (OCPP 1.6 §7.42).")
class ResetType(Enum):
    Hard = "Hard"
    Soft = "Soft"


@strawberry.enum(description="ChangeAvailability type (OCPP 1.6 §7.4).")
class AvailabilityType(Enum):
    Inoperative = "Inoperative"
    Operative = "Operative"


@strawberry.enum(description="Charging profile purpose (OCPP 1.6 §7.10).")
class ChargingProfilePurposeType(Enum):
    ChargePointMaxProfile = "ChargePointMaxProfile"
    TxDefaultProfile = "TxDefaultProfile"
    TxProfile = "TxProfile"


@strawberry.enum(description="Charging profile kind (OCPP 1.6 §7.9).")
class ChargingProfileKindType(Enum):
    Absolute = "Absolute"
    Recurring = "Recurring"
    Relative = "Relative"


@strawberry.enum(description="Recurrency kind, Recurring only (OCPP 1.6 §7.37).")
class RecurrencyKindType(Enum):
    Daily = "Daily"
    Weekly = "Weekly"


@strawberry.enum(description="Charging rate unit: A per phase, W total (§7.12).")
class ChargingRateUnitType(Enum):
    A = "A"
    W = "W"


# -- CSMS-initiated calls: the station's answers ------------------------------------


@strawberry.enum(description="RemoteStart/StopTransaction status (OCPP 1.6 §7.39).")
class RemoteStartStopStatus(Enum):
    Accepted = "Accepted"
    Rejected = "Rejected"


@strawberry.enum(description="Reset status (OCPP 1.6 §7.41).")
class ResetStatus(Enum):
    Accepted = "Accepted"
    Rejected = "Rejected"


@strawberry.enum(description="UnlockConnector status (OCPP 1.6 §7.46).")
class UnlockStatus(Enum):
    Unlocked = "Unlocked"
    UnlockFailed = "UnlockFailed"
    NotSupported = "NotSupported"


@strawberry.enum(description="ChangeAvailability status (OCPP 1.6 §7.3).")
class AvailabilityStatus(Enum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    Scheduled = "Scheduled"


@strawberry.enum(description="ChangeConfiguration status (OCPP 1.6 §7.22).")
class ConfigurationStatus(Enum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    RebootRequired = "RebootRequired"
    NotSupported = "NotSupported"


@strawberry.enum(description="ClearCache status (OCPP 1.6 §7.20).")
class ClearCacheStatus(Enum):
    Accepted = "Accepted"
    Rejected = "Rejected"


@strawberry.enum(description="DataTransfer status (OCPP 1.6 §7.23).")
class DataTransferStatus(Enum):
    Accepted = "Accepted"
    Rejected = "Rejected"
    UnknownMessageId = "UnknownMessageId"
    UnknownVendorId = "UnknownVendorId"
