"""Checks for URLs that a remote user asks the server to fetch (SSRF): scheme, host allow-list, public addresses.

Every hop is checked: the URL itself, and each redirect a pre-flight request follows, so an allowed host that
redirects to 127.0.0.1, a private range or a link-local address (cloud metadata) is refused before yt-dlp runs.
Hosts are resolved and every address they resolve to must be public (not private, loopback, link-local, multicast,
reserved or unspecified): this also catches numeric tricks such as `http://2130706433/` (decimal for 127.0.0.1) or
`http://0x7f.1/`. A server that refuses HEAD is asked with GET, so its redirect is checked too.

What the server fetches itself (an article page) goes through `public_opener`: every redirect of the real request
is checked as above, and the connection is made to an address checked when it is made. A pre-flight alone was not
enough: a server may answer HEAD with 200 and GET with a redirect to 127.0.0.1, or a name may resolve to a public
address for the check and to a private one a moment later (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlparse

from media import sources
from media.errors import UnsupportedSource

if TYPE_CHECKING:
    import http.client
    import urllib.request

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
    _require_public(host, resolve(host))


def _require_public(host: str, addresses: Iterable[str]) -> None:
    for address in addresses:
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
    """A HEAD request that reports a redirect instead of following it, over a connection to an address that is
    public when it connects (the check before it resolved the name once; a name may resolve anew elsewhere)."""
    plain, secure = _connections(timeout)
    parsed = urlparse(url)
    conn_cls = secure if parsed.scheme == "https" else plain
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


def public_opener(resolve: Resolver = system_resolver, *, timeout: float = 10.0) -> urllib.request.OpenerDirector:
    """A urllib opener for pages an untrusted caller names: http(s) only, every redirect checked (`check_url` with
    `resolve`), and each connection made to an address of the host that is public when it connects."""
    import urllib.request  # deferred: urllib pulls in much (email, http.client); only a server fetching pages does

    plain, secure = _connections(timeout)

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            check_url(newurl, None, resolve)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    class PlainHandler(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(plain, req)

    class SecureHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(secure, req)

    opener = urllib.request.OpenerDirector()
    for handler in (PlainHandler(), SecureHandler(), Redirects(), urllib.request.HTTPErrorProcessor(),
                    urllib.request.HTTPDefaultErrorHandler()):
        opener.add_handler(handler)
    return opener


def _connections(timeout: float) -> tuple[type[http.client.HTTPConnection], type[http.client.HTTPSConnection]]:
    """HTTP and HTTPS connection classes that connect only to public addresses (`_public_socket`); HTTPS verifies the
    certificate for the host's name."""
    # deferred: http.client and ssl pull in much (email, certificates); only a server fetching for a caller uses them
    import http.client
    import ssl

    context = ssl.create_default_context()

    class Plain(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = _public_socket(self.host, self.port, timeout)

    class Secure(http.client.HTTPSConnection):
        def connect(self) -> None:
            self.sock = context.wrap_socket(_public_socket(self.host, self.port, timeout), server_hostname=self.host)

    return Plain, Secure


def _public_socket(host: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to `host`, made only when every address it resolves to now is public, to one of those."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsupportedSource(f"cannot resolve host {host!r}") from None
    _require_public(host, [str(info[4][0]) for info in infos])
    error: OSError | None = None
    for family, kind, proto, _name, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"cannot connect to {host}")


def public_check(resolve: Resolver = system_resolver, allow_file_urls: bool = False) -> Callable[[str], None]:
    """The check each URL an untrusted caller's yt-dlp extraction names must pass (sources.YtdlOptions): http(s) to
    an address that is public (file: URLs too where the settings allow them, as the tests drive yt-dlp)."""
    def check(url: str) -> None:
        if not (allow_file_urls and url.lower().startswith("file:")):
            check_url(url, None, resolve)

    return check
