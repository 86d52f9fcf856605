"""Checks for URLs that a remote user asks the server to fetch (SSRF): scheme, host allow-list, public addresses.

Every hop is checked: the URL itself, and each redirect a pre-flight request follows, so an allowed host that
redirects to 127.0.0.1, a private range or a link-local address (cloud metadata) is refused before yt-dlp runs.
Hosts are resolved and every address they resolve to must be public (not private, loopback, link-local, multicast,
reserved or unspecified): this also catches numeric tricks such as `http://2130706433/` (decimal for 127.0.0.1) or
`http://0x7f.1/`. A server that refuses HEAD is asked with GET, so its redirect is checked too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlparse

from media import sources
from media.errors import UnsupportedSource

Resolver = Callable[[str], list[str]]
# (url) -> (status, location header or None); a HEAD request that does not follow redirects
Probe = Callable[[str], tuple[int, str | None]]
MAX_REDIRECTS = 5


def system_resolver(host: str) -> list[str]:
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except (socket.gaierror, UnicodeError):
        raise UnsupportedSource(f"cannot resolve host {host!r}") from None


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in (x.lower().strip(".") for x in allowed))


def check_url(url: str, allowed_hosts: Iterable[str] | None, resolve: Resolver = system_resolver) -> None:
    """Refuse anything but http(s) to an allowed host (any host when None) whose every address is public."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise UnsupportedSource(f"only http(s) URLs can be ingested, not {scheme or 'a bare path'!r}")
    sources.check_url(url, sources.YtdlOptions())  # well-formed, with a host
    parsed = urlparse(url)
    host = parsed.hostname or ""
    if parsed.username or parsed.password:
        raise UnsupportedSource("URLs with credentials are refused")
    if allowed_hosts is not None and not host_allowed(host, allowed_hosts):
        raise UnsupportedSource(f"host {host!r} is not on the allowed list ({', '.join(sorted(allowed_hosts))})")
    for address in resolve(host):
        if not is_public(address):
            raise UnsupportedSource(f"host {host!r} resolves to a non-public address ({address})")


def is_public(address: str) -> bool:
    """A unicast address on the public internet: not private, loopback, link-local, multicast, reserved or unset
    (`is_global` alone lets multicast and some reserved ranges through)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def follow_redirects(url: str, allowed_hosts: Iterable[str] | None, probe: Probe,
                     resolve: Resolver = system_resolver) -> str:
    """Check the URL and every redirect it leads to; returns the final URL."""
    allowed = list(allowed_hosts) if allowed_hosts is not None else None
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, allowed, resolve)
        status, location = probe(url)
        if status not in (301, 302, 303, 307, 308) or not location:
            return url
        url = urljoin(url, location)
    raise UnsupportedSource("too many redirects")


def http_probe(url: str, timeout: float = 10.0) -> tuple[int, str | None]:
    """A HEAD request that reports a redirect instead of following it."""
    import http.client  # deferred: http.client pulls ssl and email; only URL ingest from HTTP callers probes

    parsed = urlparse(url)
    conn_cls = http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parsed.hostname or "", parsed.port, timeout=timeout)
    try:
        path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        conn.request("HEAD", path, headers={"User-Agent": "clipindex"})
        response = conn.getresponse()
        if response.status in (405, 501):  # no HEAD here: ask as the download will, or its redirect goes unchecked
            response.close()
            conn.request("GET", path, headers={"User-Agent": "clipindex"})
            response = conn.getresponse()
        return response.status, response.getheader("Location")
    except OSError as exc:
        raise UnsupportedSource(f"cannot reach {parsed.hostname}: {exc}") from None
    finally:
        conn.close()
