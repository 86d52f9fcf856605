"""API keys on a real SQLite store: the secret is shown once, only its hash is kept, revoking takes effect at once."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from pathlib import Path

import pytest

from indexer.errors import InvalidInput, NotFound
from indexer.store.db import Store
from indexer.store.keys import PREFIX, ApiKey, KeyRing


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data" / "clipindex.db")


def _stored_bytes(store: Store) -> bytes:
    """Everything SQLite wrote for the store: the database file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.name.startswith(store.path.name))


def test_create_returns_the_secret_once(store: Store) -> None:
    ring = KeyRing(store)
    key, secret = ring.create("  newsroom  ")
    assert key.name == "newsroom" and key.revoked_at is None
    assert secret.startswith(f"{PREFIX}{key.id}_") and len(secret) > 40
    assert secret not in repr(key) and [f.name for f in dataclasses.fields(ApiKey)] == ["id", "name", "created_at",
                                                                                       "revoked_at"]
    assert ring.list() == [key], "listing keys shows no secret"
    other_key, other_secret = ring.create("newsroom")
    assert other_key.id != key.id and other_secret != secret


def test_only_a_hash_of_the_secret_is_in_the_database_file(store: Store) -> None:
    key, secret = KeyRing(store).create("editor")
    digest = hashlib.sha256(secret.encode()).hexdigest()
    written = _stored_bytes(store)
    assert secret.encode() not in written and secret.split("_", 2)[2].encode() not in written
    assert digest.encode() in written
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("SELECT * FROM api_keys").fetchall()
    assert len(rows) == 1 and digest in rows[0] and not any(secret in str(value) for value in rows[0])


def test_verify_accepts_the_secret_and_nothing_else(store: Store) -> None:
    ring = KeyRing(store)
    key, secret = ring.create("editor")
    other, other_secret = ring.create("archive")
    assert ring.verify(secret) == key and ring.verify(other_secret) == other
    tail = secret[-1]
    for wrong in (secret[:-1] + ("A" if tail != "A" else "B"), secret[:-1], secret + "x", secret[len(PREFIX):],
                  secret.upper(), f"{PREFIX}{key.id}_", "", PREFIX, secret + "x" * 300):
        assert ring.verify(wrong) is None, wrong
    assert KeyRing(Store(store.path)).verify(secret) == key, "keys outlive the process that made them"


def test_revoking_a_key_fails_its_next_verify(store: Store) -> None:
    ring = KeyRing(store)
    key, secret = ring.create("leaked")
    kept, kept_secret = ring.create("kept")
    revoked = ring.revoke(key.id)
    assert revoked.id == key.id and revoked.revoked_at is not None and revoked.revoked_at >= key.created_at
    assert ring.verify(secret) is None
    assert KeyRing(Store(store.path)).verify(secret) is None, "another process sees the revocation too"
    assert ring.verify(kept_secret) == kept
    assert [k.revoked_at is None for k in ring.list()] == [False, True]
    with pytest.raises(InvalidInput, match="already revoked"):
        ring.revoke(key.id)


def test_unknown_keys_and_bad_names(store: Store) -> None:
    ring = KeyRing(store)
    with pytest.raises(NotFound, match="no API key 'deadbeef'"):
        ring.revoke("deadbeef")
    for name in ("", "   ", "x" * 101):
        with pytest.raises(InvalidInput, match="1 to 100 characters"):
            ring.create(name)
    assert ring.list() == []
