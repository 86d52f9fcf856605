"""The ingest chain: idempotent steps (fetch, audio, transcript, chapters, index, article) run through the store."""
