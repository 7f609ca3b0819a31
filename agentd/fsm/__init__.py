"""The FSM: applies log commands to the store, deterministically.

Rules: no clock, randomness or I/O inside ``apply``; the apply table lists every message type once
(a duplicate fails at import); message numbers are append-only. Time-based decisions are made by
the leader and arrive here as commands.
"""

from agentd.fsm.apply import FSM

__all__ = ["FSM"]
