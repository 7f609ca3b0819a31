"""Watch queries follow the client's ``-stale``/``stale`` setting unless the view asks for it."""

from __future__ import annotations

from typing import Any

from cnslkit.watch.dependency import QueryOptions, request


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def request(self, method: str, path: str, **kw: Any) -> Any:
        self.calls.append(kw)
        return None


async def test_stale_defers_to_the_client_unless_the_view_asks() -> None:
    client = Recorder()
    await request(client, "/v1/kv/a", QueryOptions())  # type: ignore[arg-type]
    await request(client, "/v1/kv/a", QueryOptions(stale=True))  # type: ignore[arg-type]
    assert [c["stale"] for c in client.calls] == [None, True]
