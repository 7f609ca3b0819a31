"""Test helpers: a throwaway CA + server certificate (openssl CLI) and an HTTPS responder."""

from __future__ import annotations

import socketserver
import ssl
import subprocess
import threading
from pathlib import Path

SERVER_NAME = "server.dc1.consul"


class Certs:
    def __init__(self, root: Path) -> None:
        self.ca, self.ca_key = root / "ca.pem", root / "ca.key"
        self.cert, self.key = root / "srv.pem", root / "srv.key"


def make_certs(root: Path) -> Certs:
    """A CA and a cert for SERVER_NAME, localhost and 127.0.0.1 (the test set-up installs the
    openssl command)."""
    c = Certs(root)
    ext = root / "san.ext"
    ext.write_text(f"subjectAltName=DNS:{SERVER_NAME},DNS:localhost,IP:127.0.0.1\n")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=root)

    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
        "-keyout", str(c.ca_key), "-out", str(c.ca),
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={SERVER_NAME}",
        "-keyout", str(c.key), "-out", str(root / "srv.csr"),
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", str(root / "srv.csr"), "-CA", str(c.ca), "-CAkey", str(c.ca_key),
        "-CAcreateserial", "-days", "1", "-out", str(c.cert), "-extfile", str(ext),
    )  # fmt: skip
    return c


class HttpsServer:
    """Answers every request with ``200 ok`` over TLS; records the request heads it saw."""

    def __init__(self, certs: Certs, require_client_cert: bool = False) -> None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(certs.cert, certs.key)
        if require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(certs.ca)
        heads: list[bytes] = []
        self.heads = heads

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    conn = ctx.wrap_socket(self.request, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                heads.append(data)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                conn.close()

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
