"""Declaration lines: the canonical schema, mappings, table I/O, partitions, ingest,
quarantine.
"""
