"""Every table of the backend, imported in one place (for Alembic and ``create_all``)."""

from backend.attestations.models import (
    CarrierAppointment,
    DeliveryAttestation,
    Device,
    ProductionAttestation,
    TelemetryRecord,
)
from backend.auth.models import AuthChallenge
from backend.consents.models import Consent
from backend.credit.models import CreditRecord
from backend.decisions.models import CreditDecision
from backend.documents.models import Document
from backend.firms.models import Firm, FirmDirectoryEntry
from backend.indexer.models import BlockHeader, ChainEvent, IndexerCursor, JournalEntry
from backend.receivables.models import Financing, FinancingOffer, Receivable, ReceivableTransition
from backend.relayer.models import OutboxItem
from backend.trades.models import Payment, Trade
from backend.workers.models import LeaderLease

__all__ = [
    "AuthChallenge",
    "OutboxItem",
    "BlockHeader",
    "CarrierAppointment",
    "DeliveryAttestation",
    "Device",
    "ProductionAttestation",
    "TelemetryRecord",
    "ChainEvent",
    "Consent",
    "CreditDecision",
    "CreditRecord",
    "Document",
    "Financing",
    "FinancingOffer",
    "Firm",
    "FirmDirectoryEntry",
    "IndexerCursor",
    "JournalEntry",
    "LeaderLease",
    "Payment",
    "Receivable",
    "ReceivableTransition",
    "Trade",
]
