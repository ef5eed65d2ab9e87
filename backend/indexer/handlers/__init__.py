"""One handler per event. Importing this package registers them all."""

from backend.indexer.handlers import attestations, consents, firms, receivables, trades

__all__ = ["attestations", "consents", "firms", "receivables", "trades"]
