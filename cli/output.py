"""The only place the CLI writes to the terminal: Consul's ``UI.Info`` (stdout) and ``UI.Error``.

Both take text or bytes (KV values are printed byte for byte, not decoded) and end the line.
Streams are injectable so command logic is tested without a terminal.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

__all__ = ["Output"]


class Output:
    """stdout/stderr as binary streams; ``info``/``error`` add the trailing newline."""

    __slots__ = ("stderr", "stdout")

    def __init__(self, stdout: BinaryIO | None = None, stderr: BinaryIO | None = None) -> None:
        self.stdout: BinaryIO = stdout if stdout is not None else sys.stdout.buffer
        self.stderr: BinaryIO = stderr if stderr is not None else sys.stderr.buffer

    def info(self, message: str | bytes) -> None:
        self._write(self.stdout, message)

    def error(self, message: str | bytes) -> None:
        self.stdout.flush()
        self._write(self.stderr, message)
        self.stderr.flush()

    def flush(self) -> None:
        self.stdout.flush()
        self.stderr.flush()

    @staticmethod
    def _write(stream: BinaryIO, message: str | bytes) -> None:
        data = message if isinstance(message, bytes) else message.encode("utf-8", "surrogateescape")
        stream.write(data + b"\n")
