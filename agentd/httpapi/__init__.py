"""The HTTP API: Consul's v1 paths, shapes, headers and status codes.

Rules: handlers take a ``Request`` and return a ``Response`` (ours, not a framework's); they parse,
call one endpoint, encode. Every route is in ``routes.py``; status codes are chosen in ``app.py``;
the socket side lives only in ``transport.py``.
"""
