"""What the device, carrier and attestation endpoints refuse (before the contract would)."""

from __future__ import annotations

from backend.auth.errors import Forbidden
from backend.errors import LedgerError


class NotTheSigner(Forbidden):
    """Only the firm or oracle that signed the message (or the operator relaying) submits it."""

    code = "not_the_signer"


class NotAnOracle(LedgerError):
    """The signer is not an active firm holding the ORACLE role."""

    code = "not_an_oracle"
    status = 403

    def __init__(self, oracle: str) -> None:
        super().__init__(f"{oracle} is not an active oracle")
        self.oracle = oracle


class DuplicateDevice(LedgerError):
    """The device is registered already."""

    code = "duplicate_device"
    status = 409

    def __init__(self, device_id: str) -> None:
        super().__init__(f"device {device_id} is registered already")
        self.device_id = device_id


class DeviceNotFound(LedgerError):
    """No device with this id is registered."""

    code = "not_found"
    status = 404

    def __init__(self, device_id: str) -> None:
        super().__init__(f"no registered device {device_id}")
        self.device_id = device_id


class DeviceDisputed(LedgerError):
    """The device is disputed already."""

    code = "already_disputed"
    status = 409

    def __init__(self, device_id: str) -> None:
        super().__init__(f"device {device_id} is disputed already")
        self.device_id = device_id


class TradeNotVerified(LedgerError):
    """A carrier is appointed for a verified trade only."""

    code = "trade_not_verified"
    status = 404

    def __init__(self, trade_id: str) -> None:
        super().__init__(f"no verified trade {trade_id}")
        self.trade_id = trade_id


class DuplicateCarrier(LedgerError):
    """The oracle is the trade's carrier already."""

    code = "duplicate_carrier"
    status = 409


class InvalidPeriod(LedgerError):
    """A production period must end after it starts."""

    code = "invalid_period"
    status = 422


class AttestationInFuture(LedgerError):
    """An attestation may not be about a time ahead of the chain's clock (beyond the skew)."""

    code = "future_timestamp"
    status = 422
