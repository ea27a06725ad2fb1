"""Assessment of a batch: enrich, anomalies, scoring, selection, reasons."""
