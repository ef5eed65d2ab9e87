"""The relayer's counters, on prometheus_client's default registry (served by ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter

TRANSACTIONS_BROADCAST = Counter(
    "scf_relayer_transactions_broadcast_total",
    "transactions the relayer broadcast (first sends, rebroadcasts and replacements)",
)
TRANSACTIONS_REPLACED = Counter(
    "scf_relayer_transactions_replaced_total",
    "transactions stuck below the fee market and replaced at the same nonce with a higher fee",
)
ROWS_REQUEUED = Counter(
    "scf_relayer_rows_requeued_total",
    "outbox rows put back in the queue (their transaction was dropped, or their batch sank)",
)
ROWS_REORGED = Counter(
    "scf_relayer_rows_reorged_total",
    "recorded outbox rows whose transaction left the canonical chain (reorg or node rewind)",
)
