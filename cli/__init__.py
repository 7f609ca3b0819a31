"""cli: the ``cnsl`` command, a Consul-compatible CLI.

Rules: Consul's flag names, outputs and exit codes (0 ok, 1 error, 2 usage) are the contract;
every command's flags are declared once as a :mod:`cli.goflags` table; commands called in shell
loops (``kv get/put/delete``) run on a fast path that never imports typer, httpx or asyncio
(see :mod:`cli.main`); everything printed goes through :mod:`cli.output`. The CLI imports
``cnslkit`` and nothing else of ours.
"""
