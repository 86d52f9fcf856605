"""Errors raised by the indexer package. Front doors translate them once, through one table.

    ClipindexError
    ├── NotFound                 an id (video, job ...) that the store does not hold
    ├── InvalidInput             a bad option value: unknown language code, bad format name ...
    ├── ModelError               no Whisper model could be found or loaded
    ├── EngineUnavailable        an ASR engine whose packages are not installed
    ├── TranscriptionError       the engine failed on this audio
    └── IngestError              a step of the ingest chain failed (wraps media errors)

media.errors.MediaError (from the media package) is re-raised as IngestError by the pipeline, with the same message.
"""

from __future__ import annotations


class ClipindexError(Exception):
    """Base of every error the indexer raises on purpose; its message is meant for users."""


class NotFound(ClipindexError):
    pass


class InvalidInput(ClipindexError):
    pass


class ModelError(ClipindexError):
    pass


class EngineUnavailable(ClipindexError):
    pass


class TranscriptionError(ClipindexError):
    pass


class IngestError(ClipindexError):
    pass
