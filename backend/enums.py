"""The one vocabulary of the service: every enum and shared constant, in one dependency-free module.

The ``IntEnum``/``IntFlag`` classes mirror the contracts (their numbers are what the chain stores
and emits); ``tests/test_enums.py`` checks each against the Solidity sources and the compiled ABIs,
so the two cannot drift. The ``StrEnum`` classes are the service's own words (outbox kinds and
states, settings values); being ``str``, their members compare equal to, store and serialise as
their values.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag, StrEnum

#: Seconds in a day (Unix time has no leap seconds).
DAY = 86_400
#: Seconds a business time may run ahead of the chain's clock (the contracts' ``MAX_CLOCK_SKEW``).
MAX_CLOCK_SKEW = 300
#: The zero ``bytes32``, as the API writes it.
ZERO_32 = "0x" + "00" * 32


# ─────────────────────────────────────────────────────────────── on chain


class Role(IntFlag):
    """A firm's roles in ``FirmRegistry`` (``contracts/Roles.sol``)."""

    SUPPLIER = 1
    CORE = 2
    BANK = 4
    ORACLE = 8


#: The roles that may trade (``Roles.TRADER``).
TRADER = Role.SUPPLIER | Role.CORE


class FirmStatus(IntEnum):
    """``IFirmRegistry.FirmStatus``."""

    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2


class TradeKind(IntEnum):
    """``ITradeLedger.TradeKind``."""

    ORDER = 0
    DELIVERY = 1
    INVOICE = 2


class TradeStatus(IntEnum):
    """``ITradeLedger.TradeStatus``."""

    NONE = 0
    PROPOSED = 1
    VERIFIED = 2
    REJECTED = 3


class ReceivableStatus(IntEnum):
    """``IReceivableLedger.ReceivableStatus``."""

    NONE = 0
    PENDING = 1
    CONFIRMED = 2
    REJECTED = 3
    SPLIT = 4
    FINANCED = 5
    SETTLED = 6
    DEFAULTED = 7

    @property
    def outstanding(self) -> bool:
        """Confirmed by its obligor and not yet paid, defaulted or split."""
        return self in (ReceivableStatus.CONFIRMED, ReceivableStatus.FINANCED)


class ConsentScope(IntFlag):
    """What a consent lets a bank read (the ``SCOPE_*`` bits of ``ConsentRegistry``)."""

    CREDIT_PROFILE = 1
    DOCUMENTS = 2
    DECISIONS = 4


# ─────────────────────────────────────────────────────────────── the service's own


class DeviceKind(IntEnum):
    """``IAttestationLedger.DeviceKind``; its slug names a telemetry topic's ``{kind}``."""

    PRODUCTION_LINE = 0
    MACHINE_TOOL = 1
    FURNACE = 2
    ENERGY_METER = 3
    VEHICLE = 4
    WAREHOUSE_SCANNER = 5

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> DeviceKind:
        return cls[slug.upper().replace("-", "_")]


class DeviceStatus(IntEnum):
    """``IAttestationLedger.DeviceStatus``."""

    NONE = 0
    ACTIVE = 1
    DISPUTED = 2


class OutboxKind(StrEnum):
    """What an outbox row asks the relayer to do (``backend.relayer.actions``)."""

    TRADE = "trade"  # both signatures: batched into recordTrades
    PROPOSE = "propose"
    CONFIRM = "confirm"
    REJECT = "reject"
    PAYMENT = "payment"
    RECEIVABLE_ISSUE = "receivable_issue"
    RECEIVABLE_SPLIT = "receivable_split"
    RECEIVABLE_FINANCE = "receivable_finance"
    RECEIVABLE_SETTLE = "receivable_settle"
    RECEIVABLE_DEFAULT = "receivable_default"
    CONSENT = "consent"
    REVOKE_CONSENT = "revoke_consent"
    ANCHOR_DECISION = "anchor_decision"
    DEVICE_REGISTER = "device_register"
    DEVICE_DISPUTE = "device_dispute"
    CARRIER_APPOINT = "carrier_appoint"
    ATTESTATIONS = "attestations"  # one attestBatch call of an oracle's signed attestations
    FIRM_SUSPEND = "firm_suspend"
    FIRM_REACTIVATE = "firm_reactivate"


class OutboxStatus(StrEnum):
    """Where an outbox row is."""

    QUEUED = "queued"
    SUBMITTED = "submitted"
    RECORDED = "recorded"
    FAILED = "failed"
    # A recorded row whose block is deeper than the final depth under the indexed head: no reorg
    # the indexer accepts can drop it any more, so the relayer stops reconciling it.
    FINAL = "final"


class TallyMeasure(StrEnum):
    """What a credit tally counts (``backend.credit.tallies``): verified invoices by the day they
    were issued, with the firm as seller or as buyer."""

    SOLD = "sold"
    BOUGHT = "bought"


class Environment(StrEnum):
    """Where the service runs (``SCF_ENVIRONMENT``)."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"
