"""API keys: only a hash of each secret is stored; a presented key is checked by hash with a constant-time compare."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from indexer.errors import InvalidInput, NotFound
from indexer.store.db import Store
from indexer.store.schema import api_keys

PREFIX = "ck_"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    created_at: float
    revoked_at: float | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class KeyRing:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, name: str) -> tuple[ApiKey, str]:
        """A new key; the secret is returned once and never stored."""
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidInput("a key needs a name of 1 to 100 characters")
        key_id = secrets.token_hex(4)
        secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        now = time.time()
        with self.store.tx() as conn:
            conn.execute(api_keys.insert().values(id=key_id, name=name, hash=_digest(secret), created_at=now))
        return ApiKey(key_id, name, now, None), secret

    def list(self) -> list[ApiKey]:
        with self.store.tx() as conn:
            rows = conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [ApiKey(r["id"], r["name"], r["created_at"], r["revoked_at"]) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        with self.store.tx() as conn:
            changed = conn.execute(api_keys.update().where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                                   .values(revoked_at=time.time())).rowcount
        found = [k for k in self.list() if k.id == key_id]
        if not found:
            raise NotFound(f"no API key {key_id!r}")
        if not changed:
            raise InvalidInput(f"API key {key_id} is already revoked")
        return found[0]

    def verify(self, secret: str) -> ApiKey | None:
        """The live key this secret belongs to, or None."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        digest = _digest(secret)
        with self.store.tx() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.hash == digest)).mappings().first()
        if row is None or not hmac.compare_digest(row["hash"], digest) or row["revoked_at"] is not None:
            return None
        return ApiKey(row["id"], row["name"], row["created_at"], row["revoked_at"])

    def live(self, key_id: str) -> ApiKey | None:
        """The key with this id while it is not revoked (a read pass names its key by id), or None."""
        with self.store.tx() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        if row is None or row["revoked_at"] is not None:
            return None
        return ApiKey(row["id"], row["name"], row["created_at"], row["revoked_at"])
