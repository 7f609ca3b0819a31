"""watchd: Consul's watches (``consul watch`` and the agent's ``watches``) as a daemon.

Rules: the watch plans are :mod:`cnslkit.watch.plans` (shared with ``cnsl watch`` and agentd);
this package only reads config (TOML ``[[watch]]`` tables and Consul's ``watches`` array in
JSON or HCL), runs a :class:`~cnslkit.watch.planset.PlanSet` and reloads it on SIGHUP.
"""
