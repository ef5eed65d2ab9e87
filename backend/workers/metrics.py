"""The workers' Prometheus metrics, in one registry that ``/metrics`` renders beside the API's.

Counters are incremented where the thing happens; the queue gauges are set when scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

# ─────────────────────────────────────────────────────────── supervision
WORKER_UP = Gauge(
    "scf_worker_up",
    "1 while the worker runs, 0 while it retries or stopped",
    ["worker"],
    registry=REGISTRY,
)
WORKER_RESTARTS = Counter(
    "scf_worker_restarts_total", "worker restarts after a failure", ["worker"], registry=REGISTRY
)
WORKER_RETRIES = Counter(
    "scf_worker_retries_total",
    "failures retried, by outcome (retryable, unknown)",
    ["worker", "outcome"],
    registry=REGISTRY,
)

# ─────────────────────────────────────────────────────────── indexer
INDEXER_HEAD = Gauge("scf_indexer_head_block", "the node's head block", registry=REGISTRY)
INDEXER_CURSOR = Gauge("scf_indexer_cursor_block", "the last indexed block", registry=REGISTRY)
INDEXER_LAG = Gauge("scf_indexer_lag_blocks", "head minus cursor", registry=REGISTRY)
INDEXER_EVENTS = Counter("scf_indexer_events_total", "chain events indexed", registry=REGISTRY)
INDEXER_REORGS = Counter("scf_indexer_reorgs_total", "reorgs rolled back", registry=REGISTRY)
INDEXER_REORG_DEPTH = Histogram(
    "scf_indexer_reorg_depth_blocks",
    "depth of each reorg rolled back",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
    registry=REGISTRY,
)

# ─────────────────────────────────────────────────────────── relayer
RELAYER_QUEUE = Gauge(
    "scf_relayer_queue_depth", "outbox rows by status", ["status"], registry=REGISTRY
)
RELAYER_OLDEST_QUEUED = Gauge(
    "scf_relayer_oldest_queued_seconds", "age of the oldest queued outbox row", registry=REGISTRY
)
RELAYER_BROADCAST = Counter(
    "scf_relayer_transactions_broadcast_total",
    "transactions the relayer broadcast (first sends, rebroadcasts and replacements)",
    registry=REGISTRY,
)
RELAYER_REPLACED = Counter(
    "scf_relayer_transactions_replaced_total",
    "transactions stuck below the fee market and replaced at the same nonce with a higher fee",
    registry=REGISTRY,
)
RELAYER_ROWS_REQUEUED = Counter(
    "scf_relayer_rows_requeued_total",
    "outbox rows put back in the queue (their transaction was dropped, or their batch sank)",
    registry=REGISTRY,
)
RELAYER_ROWS_REORGED = Counter(
    "scf_relayer_rows_reorged_total",
    "recorded outbox rows whose transaction left the canonical chain (reorg or node rewind)",
    registry=REGISTRY,
)

# ─────────────────────────────────────────────────────────── oracle
ORACLE_MESSAGES = Counter(
    "scf_oracle_messages_total",
    "telemetry messages the oracle received, by outcome (accepted, out_of_order, duplicate, "
    "late, malformed, unknown_device, not_party)",
    ["outcome"],
    registry=REGISTRY,
)
ORACLE_ATTESTATIONS = Counter(
    "scf_oracle_attestations_queued_total",
    "attestations the oracle signed and queued for the relayer, by type",
    ["type"],
    registry=REGISTRY,
)
ORACLE_RECONNECTS = Counter(
    "scf_oracle_broker_reconnects_total",
    "times the oracle lost the MQTT broker and connected again",
    registry=REGISTRY,
)
ORACLE_CONNECTED = Gauge(
    "scf_oracle_broker_connected",
    "1 while the oracle is connected to its broker",
    registry=REGISTRY,
)
