"""envd: envconsul on the shared core. KV prefixes and healthy service instances become the
environment of a supervised child.

Rules: data comes through :mod:`cnslkit.watch` (one blocking query per prefix or service), the
child is a :class:`cnslkit.child.Child` (restart, signals, splay, no orphans), and the key ->
variable rules are the pure functions of :mod:`envd.env`, envconsul's exactly.
"""
