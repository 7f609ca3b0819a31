"""Endpoints: request -> (ACL) -> propose a command or run a blocking read.

Rules: endpoints speak in store records and errors from ``agentd.errors``, never in HTTP. Every
read goes through ``blocking.blocking_query``; every write through ``Server.propose``.
"""
