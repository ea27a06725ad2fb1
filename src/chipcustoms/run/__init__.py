"""A screening run: the orchestrator, streamed batches, execution engines, the summary."""
