"""The in-memory state store.

Rules: only the FSM writes it, always with the index of the command being applied; reads take a
watch set first and return ``(index, result)``; a write wakes only the watchers it touches.
"""
