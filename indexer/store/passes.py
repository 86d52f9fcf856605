"""Read passes: how a browser reads media, frames and downloads when reads need a key (`CLIPINDEX_READ_AUTH=1`).

A `<video src>`, an `<img src>` or a download link cannot send an `Authorization` header, so the page trades its key
for a pass, which the HTTP edge keeps in an HttpOnly, SameSite=Strict cookie. A pass is
`<key id>.<expiry>.<mac>`: mac is HMAC-SHA256 over the key id and the expiry under a secret of 32 random bytes kept in
`<data dir>/read-pass.secret` (mode 0600, made once; every process on the data directory shares it). A pass is
checked with a constant-time compare, refused after its expiry, refused at once when its key is revoked, and grants
reads only: writes still need the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from indexer.store.keys import ApiKey, KeyRing

SECRET_FILE = "read-pass.secret"
LIFETIME_S = 12 * 3600.0  # a working day: the page renews its pass long before, on use


class ReadPasses:
    def __init__(self, data_dir: Path, keys: KeyRing, lifetime_s: float = LIFETIME_S) -> None:
        self.path = data_dir / SECRET_FILE
        self.keys = keys
        self.lifetime_s = lifetime_s
        self._secret: bytes | None = None

    def issue(self, key: ApiKey, now: float | None = None) -> tuple[str, float]:
        """A pass for this key and when it expires (seconds since the epoch)."""
        expires = int((time.time() if now is None else now) + self.lifetime_s)
        return f"{key.id}.{expires}.{self._mac(key.id, expires)}", float(expires)

    def verify(self, token: str, now: float | None = None) -> ApiKey | None:
        """The live key a pass was issued for, or None when it is malformed, forged, expired or its key revoked."""
        parts = token.split(".")
        if len(token) > 200 or len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()):  # "²" is a digit
            return None
        key_id, expires, mac = parts[0], int(parts[1]), parts[2]
        if not hmac.compare_digest(mac.encode("ascii", "replace"), self._mac(key_id, expires).encode("ascii")):
            return None
        if expires <= (time.time() if now is None else now):
            return None
        return self.keys.live(key_id)

    def _mac(self, key_id: str, expires: int) -> str:
        message = f"read-pass|{key_id}|{expires}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key(), message, hashlib.sha256).hexdigest()

    def _key(self) -> bytes:
        if self._secret is None:
            self._secret = _load_or_make(self.path)
        return self._secret


def _load_or_make(path: Path) -> bytes:
    """The secret in `path`, made first if there is none. It appears whole or not at all (written aside, then linked
    into place, which fails if another process got there first: then that one's secret is used)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    text = path.read_text(encoding="ascii").strip()
    if len(text) != 64:
        raise ValueError(f"{path} does not hold a read-pass secret (64 hex digits); delete it to make a new one")
    return bytes.fromhex(text)
