"""This agent's own services and checks.

Rules: local state is the truth for this agent's services and checks; anti-entropy makes the
catalog agree with it through the write path (never by writing the store directly). Check runners
report into local state; a changed status marks the check out of sync and wakes the syncer.
"""
