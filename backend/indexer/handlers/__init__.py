"""One handler per event. Importing this package registers them all."""

from backend.indexer.handlers import consents, firms, receivables, trades

__all__ = ["consents", "firms", "receivables", "trades"]
