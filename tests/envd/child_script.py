"""A supervised child for envd's tests: records its pid, $VALUE and the signals it receives.

Usage: child_script.py LOG [grandchild]; with ``grandchild`` it starts ``sleep 300`` and records
that pid too, to check nothing outlives envd.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

log = sys.argv[1]


def record(**fields: object) -> None:
    with open(log, "a") as f:
        f.write(json.dumps({"pid": os.getpid(), **fields}) + "\n")


for sig in (signal.SIGHUP, signal.SIGUSR1):
    signal.signal(sig, lambda n, _f: record(signal=n))
extra = {}
if sys.argv[2:] == ["grandchild"]:
    extra["grandchild"] = subprocess.Popen(["sleep", "300"]).pid
record(value=os.environ.get("VALUE"), **extra)
while True:
    time.sleep(0.05)
