"""agentd: the cnsl agent daemon.

Rules: only the FSM writes the state store; every state change is a command proposed to the log;
reads never touch the log. HTTP handlers parse and encode, endpoints decide.
"""
