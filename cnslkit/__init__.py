"""cnslkit: the client core shared by cnsl, templated, envd and watchd.

It imports nothing else of ours.
"""
