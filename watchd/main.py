"""``watchd -config FILE|DIR [-consul-addr A] [-consul-token T] [-log-level L]``.

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 config error, 2 usage error. SIGHUP re-reads the
config; a config that fails to load is logged and the running watches are kept.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable

from cnslkit.api.client import Client
from cnslkit.api.config import ClientConfig
from cnslkit.watch.planset import PlanSet
from watchd.config import ConfigError, WatchdConfig, load

__all__ = ["main", "run"]

log = logging.getLogger(__name__)
VERSION = "watchd 0.1.0 (cnsl)"
USAGE = """Usage: watchd -config FILE|DIR [-config ...] [options]

Options:
  -config <path>        TOML ([[watch]]), JSON or HCL (Consul's "watches") file or directory
  -consul-addr <addr>   Consul agent address (CONSUL_HTTP_ADDR)
  -consul-token <tok>   ACL token (CONSUL_HTTP_TOKEN)
  -log-level <level>    debug, info, warn or err (default info)
  -version              print the version and exit
"""
_VALUED = ("config", "consul-addr", "consul-token", "log-level")
_LEVELS = {"trace": 5, "debug": 10, "info": 20, "warn": 30, "warning": 30, "err": 40, "error": 40}


def parse(argv: list[str]) -> dict[str, list[str]]:
    """Go ``flag`` rules: ``-f v``, ``-f=v``, ``--f``; ValueError on anything else."""
    out: dict[str, list[str]] = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg in ("-", "--"):
            raise ValueError(f"unexpected argument: {arg!r}")
        name, eq, value = arg.lstrip("-").partition("=")
        if name in ("h", "help", "version", "v"):
            out.setdefault(name if name in ("version", "v") else "help", []).append("")
            continue
        if name not in _VALUED:
            raise ValueError(f"flag provided but not defined: -{name}")
        if not eq:
            if not args:
                raise ValueError(f"flag needs an argument: -{name}")
            value = args.pop(0)
        out.setdefault(name, []).append(value)
    return out


def run(argv: list[str]) -> int:
    try:
        given = parse(argv)
    except ValueError as exc:
        print(f"watchd: {exc}", file=sys.stderr)
        print(USAGE, file=sys.stderr, end="")
        return 2
    if "help" in given:
        print(USAGE, end="")
        return 0
    if "version" in given or "v" in given:
        print(VERSION)
        return 0
    level = _LEVELS.get((given.get("log-level") or ["info"])[-1].lower(), logging.INFO)
    logging.basicConfig(
        level=level,
        format="%(asctime)s [%(levelname)s] %(name)s: %(message)s",
        stream=sys.stderr,
    )
    paths = given.get("config", [])
    if not paths:
        print("watchd: no watches: give -config FILE|DIR", file=sys.stderr)
        return 1

    def reload() -> WatchdConfig:
        return load(paths, (given.get("consul-addr") or [""])[-1],
                    (given.get("consul-token") or [""])[-1])  # fmt: skip

    try:
        config = reload()
    except ConfigError as exc:
        print(f"watchd: {exc}", file=sys.stderr)
        return 1
    return asyncio.run(_serve(config, reload))


async def _serve(config: WatchdConfig, reload: Callable[[], WatchdConfig]) -> int:
    overrides = {"http_addr": config.address or None, "token": config.token or None}
    loop = asyncio.get_running_loop()
    async with Client(ClientConfig.from_env(overrides)) as client:
        plans = PlanSet(client)

        def on_hup() -> None:
            try:
                fresh = reload()
            except ConfigError as exc:
                log.error("reload: %s (keeping the running watches)", exc)
                return
            log.info("reload: %d watches", len(fresh.watches))
            plans.apply(fresh.watches)

        loop.add_signal_handler(signal.SIGHUP, on_hup)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, plans.stop)
        log.info("watchd: started with %d watches", len(config.watches))
        await plans.run(config.watches)
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
