"""A counting TCP proxy in front of an agent: how many connections and requests reach it."""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter

_REQUEST = re.compile(rb"(GET|PUT|DELETE|POST) (\S+) HTTP/1\.[01]\r\n")


class CountingProxy:
    """Forwards 127.0.0.1:<port> to ``upstream`` (host:port) in a thread of its own."""

    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.connections = 0
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.port = 0
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._main, name="proxy", daemon=True)

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def total_requests(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def paths(self) -> Counter[str]:
        with self._lock:
            return Counter(self.requests)

    def start(self) -> CountingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            # Closing the sockets ends the pipes (cancelling the handlers trips a 3.11 bug).
            for stream in list(self._writers):
                stream.close()
            await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        with self._lock:
            self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer, count=True),
            self._pipe(up_reader, writer, count=False),
            return_exceptions=True,
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool
    ) -> None:
        tail = b""
        try:
            while data := await reader.read(65536):
                if count:
                    buf = tail + data
                    last = 0
                    for m in _REQUEST.finditer(buf):
                        with self._lock:
                            self.requests[m.group(2).decode().split("?")[0]] += 1
                        last = m.end()
                    tail = buf[max(last, len(buf) - 2048) :]
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            self._writers.discard(writer)
