"""Supervision of the background workers (indexer, relayer, leader lease): what an error means,
retrying with backoff, stopping the process on a fatal one, and the workers' metrics."""
