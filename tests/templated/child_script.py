"""A supervised child for the exec tests: logs its start and the signals it gets."""

import os
import signal
import sys
import time

log = open("events.log", "a", buffering=1)  # noqa: SIM115
try:
    with open("out") as fh:
        content = fh.read().strip()
except OSError:
    content = "?"
log.write(f"start {os.getpid()} {content}\n")


def on_signal(sig: int, _frame: object) -> None:
    log.write(f"{signal.Signals(sig).name} {os.getpid()}\n")
    if sig == signal.SIGTERM:
        sys.exit(int(os.environ.get("TERM_EXIT", "0")))


for s in (signal.SIGHUP, signal.SIGUSR1, signal.SIGTERM):
    signal.signal(s, on_signal)
while True:
    time.sleep(0.05)
