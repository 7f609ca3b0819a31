"""The table of Consul agent config keys: which exist, what type each holds, which cnsl honours.

Why a table: Consul users bring whole config files. Every key is either honoured, or known to
Consul but not implemented yet (kept in ``RuntimeConfig.raw``, one warning), or unknown (a warning;
Consul itself refuses unknown keys). A feature that starts honouring a key adds it to
``SUPPORTED`` so the "not supported yet" warning goes away.

``check_source`` validates one parsed source (so an error can name the file) and reports what it
found; ``ConfigError`` lives here so that the validators can raise it without importing config.py.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from typing import Any, Literal

from cnslkit.duration import parse_duration

__all__ = [
    "DEFAULTS",
    "DEV_DEFAULTS",
    "LIST_KEYS",
    "LOG_LEVELS",
    "ONE_OR_LIST_KEYS",
    "SCHEMA",
    "SUPPORTED",
    "ConfigError",
    "LogLevel",
    "check_source",
    "lookup",
]

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key or the file."""


# A checker returns None when the value is fine, else what was expected.
Checker = Callable[[Any], str | None]
Schema = dict[str, "Checker | Schema"]


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and v.is_integer()
    )


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "expected true or false"


def _int(v: Any) -> str | None:
    return None if _is_int(v) else "expected an integer"


def _size(v: Any) -> str | None:
    return None if _is_int(v) and v >= 0 else "expected a non-negative integer"


def _num(v: Any) -> str | None:
    ok = isinstance(v, int | float) and not isinstance(v, bool)
    return None if ok else "expected a number"


def _port(v: Any) -> str | None:
    if not _is_int(v):
        return "expected an integer"
    return None if -1 <= v <= 65535 else "expected a port number (0-65535) or -1 to disable"


def _str(v: Any) -> str | None:
    return None if isinstance(v, str) else "expected a string"


def _dur(v: Any) -> str | None:
    if not isinstance(v, str):
        return 'expected a duration string such as "10s"'
    try:
        seconds = parse_duration(v)
    except ValueError as e:
        return str(e)
    return None if seconds >= 0 else "expected a non-negative duration"


def _pos_dur(v: Any) -> str | None:
    err = _dur(v)
    return err if err else (None if parse_duration(v) > 0 else "expected a positive duration")


def _strlist(v: Any) -> str | None:
    ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
    return None if ok else "expected a list of strings"


def _list(v: Any) -> str | None:
    return None if isinstance(v, list) else "expected a list"


def _objlist(v: Any) -> str | None:
    ok = isinstance(v, list) and all(isinstance(x, dict) for x in v)
    return None if ok else "expected a list of objects"


def _map(v: Any) -> str | None:
    return None if isinstance(v, dict) else "expected an object"


def _strmap(v: Any) -> str | None:
    ok = isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
    return None if ok else "expected an object of strings"


def _durmap(v: Any) -> str | None:
    if not isinstance(v, dict):
        return "expected an object of durations"
    return next((err for x in v.values() if (err := _dur(x))), None)


def _log_level(v: Any) -> str | None:
    ok = isinstance(v, str) and v.lower() in LOG_LEVELS
    return None if ok else "expected one of trace, debug, info, warn, err"


def _datacenter(v: Any) -> str | None:
    ok = isinstance(v, str) and re.fullmatch(r"[a-zA-Z0-9_-]+", v) is not None
    return None if ok else "expected letters, digits, '_' and '-' only"


def _node_name(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "expected a non-empty string"


def _uuid(v: Any) -> str | None:
    return None if isinstance(v, str) and is_uuid(v) else "expected a UUID"


def _mode(v: Any) -> str | None:
    ok = isinstance(v, str) and re.fullmatch(r"0?[0-7]{1,4}", v) is not None
    return None if ok else 'expected an octal file mode string such as "0700"'


def _ip(v: Any) -> str | None:
    if not isinstance(v, str) or "{{" in v:
        return "expected an IP address (go-sockaddr templates are not supported yet)"
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return "expected an IP address"
    return None


def _ips(v: Any) -> str | None:
    if not isinstance(v, str):
        return "expected a string of space-separated IP addresses"
    return next((err for x in v.split() if (err := _ip(x))), None)


def _addrs(v: Any) -> str | None:
    """Space-separated IPs or unix:///absolute/paths (addresses.http and friends)."""
    if not isinstance(v, str):
        return "expected a string of space-separated addresses"
    for item in v.split():
        if item.startswith("unix://"):
            if not item[len("unix://") :].startswith("/"):
                return "expected unix:// followed by an absolute path"
        elif err := _ip(item):
            return err + " or unix:///path"
    return None


def is_uuid(v: str) -> bool:
    return re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", v) is not None


LogLevel = Literal["TRACE", "DEBUG", "INFO", "WARN", "ERR"]

# Every spelling Consul accepts (case-insensitive), to the name cnsl uses.
LOG_LEVELS: dict[str, LogLevel] = {
    "trace": "TRACE",
    "debug": "DEBUG",
    "info": "INFO",
    "warn": "WARN",
    "warning": "WARN",
    "err": "ERR",
    "error": "ERR",
}

_TLS_BLOCK: Schema = {
    "ca_file": _str,
    "ca_path": _str,
    "cert_file": _str,
    "key_file": _str,
    "tls_min_version": _str,
    "tls_cipher_suites": _str,
    "verify_incoming": _bool,
    "verify_outgoing": _bool,
    "verify_server_hostname": _bool,
    "use_auto_cert": _bool,
}
_GOSSIP: Schema = {
    "gossip_nodes": _int,
    "gossip_interval": _dur,
    "probe_interval": _dur,
    "probe_timeout": _dur,
    "suspicion_mult": _int,
    "retransmit_mult": _int,
}
_TELEMETRY_STR = (
    "circonus_api_app",
    "circonus_api_token",
    "circonus_api_url",
    "circonus_broker_id",
    "circonus_broker_select_tag",
    "circonus_check_display_name",
    "circonus_check_force_metric_activation",
    "circonus_check_id",
    "circonus_check_instance_id",
    "circonus_check_search_tag",
    "circonus_check_tags",
    "circonus_submission_interval",
    "circonus_submission_url",
    "dogstatsd_addr",
    "metrics_prefix",
    "statsd_address",
    "statsite_address",
)

# Every key of Consul's agent config (agent/config/config.go, CE and Enterprise), by section.
SCHEMA: Schema = {
    # identity and mode
    "server": _bool, "bootstrap": _bool, "bootstrap_expect": _size, "datacenter": _datacenter,
    "primary_datacenter": _str, "node_name": _node_name, "node_id": _uuid, "node_meta": _strmap,
    "data_dir": _str, "domain": _str, "alt_domain": _str, "read_replica": _bool,
    "non_voting_server": _bool, "segment": _str, "segments": _objlist, "partition": _str,
    "server_name": _str, "pid_file": _str, "disable_host_node_id": _bool,
    # logging
    "log_level": _log_level, "log_json": _bool, "log_file": _str, "log_rotate_duration": _dur,
    "log_rotate_bytes": _size, "log_rotate_max_files": _int, "enable_syslog": _bool,
    "syslog_facility": _str, "enable_debug": _bool,
    # addresses and ports
    "bind_addr": _ip, "client_addr": _ips, "advertise_addr": _ip, "advertise_addr_ipv4": _ip,
    "advertise_addr_ipv6": _ip, "advertise_addr_wan": _ip, "advertise_addr_wan_ipv4": _ip,
    "advertise_addr_wan_ipv6": _ip, "advertise_reconnect_timeout": _dur, "serf_lan": _str,
    "serf_wan": _str, "serf_lan_allowed_cidrs": _strlist, "serf_wan_allowed_cidrs": _strlist,
    "tagged_addresses": _strmap, "translate_wan_addrs": _bool,
    "addresses": {k: _addrs for k in ("dns", "http", "https", "grpc", "grpc_tls")},
    "advertise_addrs": {"rpc": _str, "serf_lan": _str, "serf_wan": _str},
    "ports": {
        k: _port
        for k in (
            "dns", "http", "https", "grpc", "grpc_tls", "serf_lan", "serf_wan", "server",
            "proxy_min_port", "proxy_max_port", "sidecar_min_port", "sidecar_max_port",
            "expose_min_port", "expose_max_port",
        )
    },
    "unix_sockets": {"mode": _mode, "user": _str, "group": _str},
    # joining and leaving
    "retry_join": _strlist, "retry_join_wan": _strlist, "retry_interval": _dur,
    "retry_interval_wan": _dur, "retry_max": _int, "retry_max_wan": _int, "start_join": _strlist,
    "start_join_wan": _strlist, "rejoin_after_leave": _bool, "leave_on_terminate": _bool,
    "skip_leave_on_interrupt": _bool, "reconnect_timeout": _dur, "reconnect_timeout_wan": _dur,
    "primary_gateways": _strlist, "primary_gateways_interval": _dur,
    # gossip encryption and TLS (top-level TLS keys are the deprecated pre-1.12 forms)
    "encrypt": _str, "encrypt_verify_incoming": _bool, "encrypt_verify_outgoing": _bool,
    "disable_keyring_file": _bool, "ca_file": _str, "ca_path": _str, "cert_file": _str,
    "key_file": _str, "verify_incoming": _bool, "verify_incoming_rpc": _bool,
    "verify_incoming_https": _bool, "verify_outgoing": _bool, "verify_server_hostname": _bool,
    "tls_min_version": _str, "tls_cipher_suites": _str, "tls_prefer_server_cipher_suites": _bool,
    "enable_agent_tls_for_checks": _bool,
    "tls": {k: dict(_TLS_BLOCK) for k in ("defaults", "internal_rpc", "https", "grpc")},
    "auto_encrypt": {"tls": _bool, "allow_tls": _bool, "dns_san": _strlist, "ip_san": _strlist},
    "auto_config": _map,
    # ACL (acl_* top-level keys are the deprecated pre-1.4 forms)
    "acl": {
        "enabled": _bool, "default_policy": _str, "down_policy": _str, "policy_ttl": _dur,
        "role_ttl": _dur, "token_ttl": _dur, "enable_token_persistence": _bool,
        "enable_key_list_policy": _bool, "enable_token_replication": _bool, "disabled_ttl": _dur,
        "msp_disable_bootstrap": _bool,
        "tokens": {
            **{
                k: _str
                for k in (
                    "initial_management", "master", "replication", "agent_recovery",
                    "agent_master", "default", "agent", "config_file_service_registration", "dns",
                )
            },
            "managed_service_provider": _objlist,
        },
    },
    **{
        k: _str
        for k in (
            "acl_agent_master_token", "acl_agent_token", "acl_datacenter", "acl_default_policy",
            "acl_down_policy", "acl_master_token", "acl_replication_token", "acl_token",
        )
    },
    "acl_ttl": _dur, "acl_enable_key_list_policy": _bool, "enable_acl_replication": _bool,
    "acl_enforce_version_8": _bool, "acl_disabled_ttl": _dur,
    # services, checks, watches, config entries
    "service": _map, "services": _objlist, "check": _map, "checks": _objlist,
    "watches": _objlist, "config_entries": {"bootstrap": _objlist},
    "enable_script_checks": _bool, "enable_local_script_checks": _bool,
    "check_output_max_size": _size, "check_update_interval": _dur, "discard_check_output": _bool,
    "enable_central_service_config": _bool, "disable_remote_exec": _bool,
    "default_intention_policy": _str,
    # HTTP API, DNS, UI
    "default_query_time": _pos_dur, "max_query_time": _pos_dur, "discovery_max_stale": _dur,
    "session_ttl_min": _dur, "disable_http_unprintable_char_filter": _bool,
    "http_config": {
        "block_endpoints": _strlist, "allow_write_http_from": _strlist,
        "response_headers": _strmap, "use_cache": _bool, "max_header_bytes": _int,
    },
    "limits": {
        "http_max_conns_per_client": _size, "https_handshake_timeout": _dur,
        "rpc_handshake_timeout": _dur, "rpc_client_timeout": _dur, "rpc_max_burst": _int,
        "rpc_max_conns_per_client": _int, "rpc_rate": _num, "kv_max_value_size": _size,
        "txn_max_req_len": _size, "request_limits": _map,
    },
    "recursors": _strlist,
    "dns_config": {
        "allow_stale": _bool, "a_record_limit": _int, "disable_compression": _bool,
        "enable_truncate": _bool, "max_stale": _dur, "node_ttl": _dur, "only_passing": _bool,
        "recursor_strategy": _str, "recursor_timeout": _dur, "service_ttl": _durmap,
        "udp_answer_limit": _int, "enable_additional_node_meta_txt": _bool, "soa": _map,
        "use_cache": _bool, "cache_max_age": _dur, "prefer_namespace": _bool,
    },
    "ui": _bool, "ui_dir": _str, "ui_content_path": _str,
    "ui_config": {
        "enabled": _bool, "dir": _str, "content_path": _str, "metrics_provider": _str,
        "metrics_provider_files": _strlist, "metrics_provider_options_json": _str,
        "metrics_proxy": _map, "dashboard_url_templates": _strmap, "hcp_enabled": _bool,
    },
    # cluster internals
    "raft_protocol": _int, "raft_snapshot_threshold": _int, "raft_snapshot_interval": _dur,
    "raft_trailing_logs": _int, "raft_logstore": _map, "protocol": _int,
    "performance": {
        "raft_multiplier": _int, "leave_drain_time": _dur, "rpc_hold_timeout": _dur,
        "grpc_keepalive_interval": _dur, "grpc_keepalive_timeout": _dur,
    },
    "autopilot": {
        "cleanup_dead_servers": _bool, "last_contact_threshold": _dur, "max_trailing_logs": _int,
        "min_quorum": _int, "server_stabilization_time": _dur, "disable_upgrade_migration": _bool,
        "redundancy_zone_tag": _str, "upgrade_version_tag": _str,
    },
    "gossip_lan": dict(_GOSSIP), "gossip_wan": dict(_GOSSIP),
    "connect": {
        "enabled": _bool, "ca_provider": _str, "ca_config": _map,
        "enable_mesh_gateway_wan_federation": _bool, "enable_serverless_plugin": _bool,
        "test_ca_leaf_root_change_spread": _dur,
    },
    "telemetry": {
        **{k: _str for k in _TELEMETRY_STR},
        "disable_hostname": _bool, "dogstatsd_tags": _strlist, "filter_default": _bool,
        "prefix_filter": _strlist, "prometheus_retention_time": _dur, "disable_compat_1.9": _bool,
        "enable_host_metrics": _bool, "retry_failed_connection": _bool,
        "disable_per_tenancy_usage_metrics": _bool,
    },
    "peering": {"enabled": _bool, "test_allow_peer_registrations": _bool},
    "rpc": {"enable_streaming": _bool}, "use_streaming_backend": _bool,
    "disable_anonymous_signature": _bool, "disable_coordinates": _bool,
    "disable_update_check": _bool, "auto_reload_config": _bool, "experiments": _strlist,
    "locality": _map, "xds": _map, "cache": _map, "cloud": _map, "audit": _map,
    "reporting": _map, "license_path": _str, "snapshot_agent": _map,
}  # fmt: skip

# Keys cnsl honours today (a section name covers the whole section). Features add theirs here.
SUPPORTED = frozenset(
    {
        "server", "bootstrap", "datacenter", "node_name", "node_id", "data_dir", "domain",
        "log_level", "bind_addr", "client_addr", "advertise_addr", "ports.http", "ports.dns",
        "ports.server", "addresses.http", "addresses.dns", "unix_sockets",
        "limits.http_max_conns_per_client", "limits.kv_max_value_size", "limits.txn_max_req_len",
        "default_query_time", "max_query_time", "session_ttl_min", "http_config.use_cache",
        "services", "service", "checks", "check", "node_meta", "enable_script_checks",
        "enable_local_script_checks", "acl.enabled", "acl.default_policy", "acl.down_policy",
        "acl.tokens", "acl.enable_token_persistence", "acl.enable_key_list_policy",
        "alt_domain", "recursors", "dns_config.a_record_limit", "dns_config.disable_compression",
        "dns_config.enable_truncate", "dns_config.node_ttl", "dns_config.only_passing",
        "dns_config.recursor_strategy", "dns_config.recursor_timeout", "dns_config.service_ttl",
        "dns_config.udp_answer_limit", "dns_config.enable_additional_node_meta_txt",
        "dns_config.soa", "disable_coordinates", "ports.serf_lan", "ports.serf_wan", "serf_lan",
        "serf_wan", "advertise_addr_wan",
    }
)  # fmt: skip

# Keys holding lists of objects: repeated HCL blocks under them stay a list (elsewhere they merge
# into one object). "service" and "check" are one object, or a list when the block is repeated.
LIST_KEYS = frozenset(
    {"services", "checks", "watches", "bootstrap", "segments", "upstreams", "paths",
     "managed_service_provider"}
)  # fmt: skip
ONE_OR_LIST_KEYS = frozenset({"service", "check"})

DEFAULTS: dict[str, Any] = {
    "server": False, "bootstrap": False, "bootstrap_expect": 0, "datacenter": "dc1",
    "domain": "consul.", "log_level": "INFO", "bind_addr": "0.0.0.0", "client_addr": "127.0.0.1",
    "ports": {
        "dns": 8600, "http": 8500, "https": -1, "grpc": -1, "grpc_tls": -1, "serf_lan": 8301,
        "serf_wan": 8302, "server": 8300, "sidecar_min_port": 21000, "sidecar_max_port": 21255,
        "expose_min_port": 21500, "expose_max_port": 21755,
    },
    "retry_interval": "30s", "retry_interval_wan": "30s", "raft_protocol": 3,
    "encrypt_verify_incoming": True, "encrypt_verify_outgoing": True,
    "disable_remote_exec": True, "default_query_time": "300s", "max_query_time": "600s",
    "acl": {
        "enabled": False, "default_policy": "allow", "down_policy": "extend-cache",
        "policy_ttl": "30s", "role_ttl": "30s", "token_ttl": "30s",
    },
    "performance": {"raft_multiplier": 5, "leave_drain_time": "5s", "rpc_hold_timeout": "7s"},
    "dns_config": {
        "allow_stale": True, "max_stale": "87600h", "udp_answer_limit": 3,
        "recursor_timeout": "2s",
    },
    "limits": {
        "http_max_conns_per_client": 200, "rpc_rate": -1, "rpc_max_burst": 1000,
        "rpc_max_conns_per_client": 100, "kv_max_value_size": 524288, "txn_max_req_len": 524288,
    },
    "autopilot": {
        "cleanup_dead_servers": True, "last_contact_threshold": "200ms",
        "max_trailing_logs": 250, "server_stabilization_time": "10s",
    },
}  # fmt: skip

# consul agent -dev (agent/config/default.go DevSource).
DEV_DEFAULTS: dict[str, Any] = {
    "server": True, "bootstrap": True, "bind_addr": "127.0.0.1", "log_level": "DEBUG",
    "ui_config": {"enabled": True}, "connect": {"enabled": True},
    "performance": {"raft_multiplier": 1}, "ports": {"grpc": 8502, "grpc_tls": 8503},
    "disable_anonymous_signature": True, "disable_keyring_file": True, "enable_debug": True,
}  # fmt: skip


def check_source(name: str, data: dict[str, Any]) -> list[str]:
    """Validate one source; warn about unknown keys; return its known-but-unsupported keys.

    Raises ConfigError for a value of the wrong type or range, naming the key and the source.
    """
    unsupported: list[str] = []
    _walk(name, data, SCHEMA, "", unsupported)
    return unsupported


def _walk(name: str, data: dict[str, Any], schema: Schema, prefix: str, out: list[str]) -> None:
    for key, value in data.items():
        path = prefix + key
        rule = schema.get(key)
        if rule is None:
            log.warning("config: unknown key %r in %s", path, name)
            continue
        if isinstance(rule, dict):
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{path}: invalid value {_show(value)}: expected an object (in {name})"
                )
            if not _covered(path) and any(s.startswith(path + ".") for s in SUPPORTED):
                _walk(name, value, rule, path + ".", out)
                continue
            _walk(name, value, rule, path + ".", [])
        elif err := rule(value):
            raise ConfigError(f"{path}: invalid value {_show(value)}: {err} (in {name})")
        if not _covered(path):
            out.append(path)


def _covered(path: str) -> bool:
    parts = path.split(".")
    return any(".".join(parts[:i]) in SUPPORTED for i in range(1, len(parts) + 1))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return "an object" if isinstance(value, dict) else "a list"
    return repr(value)


def lookup(raw: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of the merged config, or None."""
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
