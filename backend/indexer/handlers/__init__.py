"""One handler per event. Importing this package registers them all."""

from backend.indexer.handlers import firms, receivables, trades

__all__ = ["firms", "receivables", "trades"]
