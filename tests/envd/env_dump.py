"""A child for envd's tests: prints its environment as JSON (Python's own LC_CTYPE left out)."""

from __future__ import annotations

import json
import os

print(json.dumps({k: v for k, v in os.environ.items() if k != "LC_CTYPE"}))
