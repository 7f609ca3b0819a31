"""Wire-level records and log commands shared by every layer of agentd."""
