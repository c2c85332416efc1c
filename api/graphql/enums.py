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
