"""Malformed URLs get a one-line error from the CLI (never a traceback); the address and redirect checks."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from media import netguard
from media.errors import UnsupportedSource
from media.netguard import http_probe, is_public


@pytest.mark.parametrize("url, message", [
    ("http://", "no host"),
    ("https://", "no host"),
    ("http://:80/x", "no host"),
    ("http://[::1", "not a valid URL"),
    ("https://exa mple.com/x", "spaces"),
    ("http://news.example:99999/x", "not a valid URL"),
    ("http://news.example/\x07", "control characters"),
    ("ftp://news.example/x", "unsupported URL scheme"),
])
def test_malformed_urls_get_one_line_errors(tmp_path: Path, url: str, message: str) -> None:
    result = CliRunner().invoke(app, ["ingest", url, "--data-dir", str(tmp_path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("169.254.169.254", False), ("224.0.0.1", False),
    ("239.255.255.250", False), ("0.0.0.0", False), ("240.0.0.1", False), ("::", False), ("::1", False),
    ("fe80::1%eth0", False), ("ff02::1", False),
])
def test_only_public_unicast_addresses_pass(address: str, public: bool) -> None:
    assert is_public(address) is public


class _NoHead(http.server.BaseHTTPRequestHandler):
    """A server that refuses HEAD and redirects GET, as some CDNs do."""

    def do_HEAD(self) -> None:  # noqa: N802 - the handler's naming
        self.send_response(405)
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def no_head_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _NoHead)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/video"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_refuses_head_still_has_its_redirect_checked(no_head_server: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # the probe connects only to a public address, checked as it connects: the pre-flight's own request went to any
    # address the name resolved to by then (DNS rebinding), and its errors told which internal ports were open
    with pytest.raises(UnsupportedSource, match="non-public address"):
        http_probe(no_head_server)
    port = int(no_head_server.rsplit(":", 1)[1].split("/")[0])
    # the network, faked: cdn.example is a public host, reached here on loopback
    monkeypatch.setattr(netguard, "_public_socket", lambda host, _port, timeout: socket.create_connection(
        ("127.0.0.1", port), timeout) if host == "cdn.example" else pytest.fail(host))
    assert http_probe(f"http://cdn.example:{port}/video") == (302, "http://169.254.169.254/latest/meta-data/")
