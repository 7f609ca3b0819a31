"""The version agentd reports: Consul's API version it is compatible with, and its own."""

CONSUL_VERSION = "1.22.0"  # what clients compare against (Config.Version)
CNSL_VERSION = "0.1.0"
PROTOCOL = 2
