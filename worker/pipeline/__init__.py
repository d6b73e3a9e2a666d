"""The pipeline stages as plain functions (no broker), the in-process ingest and re-ingest."""
