from __future__ import annotations

import socket

import httpx

from tests.agents import AgentThread


def connect(agent: AgentThread) -> socket.socket:
    host, port = agent.http_addr.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def read_response(s: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += s.recv(65536)
    return head + b"\r\n\r\n" + body


def test_connections_per_client_ip_are_capped() -> None:
    agent = AgentThread("-hcl", "limits { http_max_conns_per_client = 3 }").start()
    try:
        held = [connect(agent) for _ in range(3)]
        for s in held:  # make sure the agent has accepted them
            s.sendall(b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(s).startswith(b"HTTP/1.1 200")
        extra = connect(agent)
        assert extra.recv(200).startswith(b"HTTP/1.1 429 Too Many Requests")
        extra.close()
        held.pop().close()
        for _ in range(50):  # the slot frees once the agent sees the close
            s = connect(agent)
            s.sendall(b"GET /v1/status/leader HTTP/1.1\r\nHost: x\r\n\r\n")
            if read_response(s).startswith(b"HTTP/1.1 200"):
                break
        else:
            raise AssertionError("connection slot never freed")
        for s in held:
            s.close()
    finally:
        agent.stop()


def test_pipelined_requests_are_answered_in_order(agent: AgentThread) -> None:
    with connect(agent) as s:
        s.sendall(
            b"PUT /v1/kv/p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
            b"GET /v1/kv/p?raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    first, second = data.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200") and first.endswith(b"\r\n\r\ntrue\n")
    assert second.startswith(b"200") and second.endswith(b"\r\n\r\none")


def test_expect_continue_gets_100(agent: AgentThread) -> None:
    with connect(agent) as s:
        s.sendall(
            b"PUT /v1/kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(b"data")
        assert read_response(s).endswith(b"true\n")


def test_oversized_chunked_body_is_refused_without_storing(agent: AgentThread) -> None:
    chunk = b"x" * 65536

    def body():  # no Content-Length: chunked transfer encoding
        for _ in range(9):
            yield chunk

    r = httpx.put(agent.url + "/v1/kv/huge", content=body(), timeout=30)
    assert r.status_code == 413
    assert httpx.get(agent.url + "/v1/kv/huge").status_code == 404
