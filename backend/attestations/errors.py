"""What the device, carrier and attestation endpoints refuse (before the contract would)."""

from __future__ import annotations

from backend.auth.errors import Forbidden
from backend.errors import LedgerError


class NotTheSigner(Forbidden, code="not_the_signer"):
    """Only the firm or oracle that signed the message (or the operator relaying) submits it."""


class NotAnOracle(LedgerError, code="not_an_oracle", status=403):
    """The signer is not an active firm holding the ORACLE role."""

    oracle: str
    sentence = "{oracle} is not an active oracle"


class DuplicateDevice(LedgerError, code="duplicate_device", status=409):
    """The device is registered already."""

    device_id: str
    sentence = "device {device_id} is registered already"


class DeviceNotFound(LedgerError, code="not_found", status=404):
    """No device with this id is registered."""

    device_id: str
    sentence = "no registered device {device_id}"


class DeviceDisputed(LedgerError, code="already_disputed", status=409):
    """The device is disputed already."""

    device_id: str
    sentence = "device {device_id} is disputed already"


class TradeNotVerified(LedgerError, code="trade_not_verified", status=404):
    """A carrier is appointed for a verified trade only."""

    trade_id: str
    sentence = "no verified trade {trade_id}"


class DuplicateCarrier(LedgerError, code="duplicate_carrier", status=409):
    """The oracle is the trade's carrier already."""


class InvalidPeriod(LedgerError, code="invalid_period", status=422):
    """A production period must end after it starts."""


class AttestationInFuture(LedgerError, code="future_timestamp", status=422):
    """An attestation may not be about a time ahead of the chain's clock (beyond the skew)."""
