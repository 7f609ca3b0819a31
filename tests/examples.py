"""The example files users try first (configs, service definitions, payloads), kept with the
tests so that every run checks them."""

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples"
