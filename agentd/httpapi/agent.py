"""``/v1/agent/*``: this agent's own view (no X-Consul-Index)."""

from __future__ import annotations

import os
import platform
import sys
from typing import TYPE_CHECKING, Any

from agentd.httpapi.app import json_response
from agentd.httpapi.request import Request, Response
from cnslkit.version import CNSL_VERSION, CONSUL_VERSION, PROTOCOL

if TYPE_CHECKING:
    from agentd.agent import Agent


def member(agent: Agent) -> dict[str, Any]:
    cfg = agent.config
    return {
        "Name": cfg.node_name,
        "Addr": cfg.advertise_addr,
        "Port": 8301,
        "Tags": {
            "acls": "0",
            "build": f"{CONSUL_VERSION}:cnsl-{CNSL_VERSION}",
            "dc": cfg.datacenter,
            "id": cfg.node_id,
            "port": str(cfg.server_port),
            "role": "consul" if cfg.server else "node",
            "segment": "",
            "vsn": str(PROTOCOL),
            "vsn_max": "3",
            "vsn_min": "2",
            **({"bootstrap": "1"} if cfg.bootstrap else {}),
        },
        "Status": 1,
        "ProtocolMin": 1,
        "ProtocolMax": 5,
        "ProtocolCur": 2,
        "DelegateMin": 2,
        "DelegateMax": 5,
        "DelegateCur": 4,
    }


def wan_member(agent: Agent) -> dict[str, Any]:
    """This server in the WAN pool: the same member, named ``<node>.<dc>``, on the WAN port."""
    cfg = agent.config
    return {**member(agent), "Name": f"{cfg.node_name}.{cfg.datacenter}", "Port": 8302}


def agent_stats(agent: Agent) -> dict[str, str]:
    """Consul's ``agent`` section: the local state's services and checks, and how many of those
    checks are script (``check_monitors``) and TTL checks."""
    kinds = [
        getattr(lc.definition, "type", "") if lc.definition is not None else ""
        for lc in agent.local.checks.values()
    ]
    return {
        "check_monitors": str(kinds.count("script")),
        "check_ttls": str(kinds.count("ttl")),
        "checks": str(len(kinds)),
        "services": str(len(agent.local.services)),
    }


def serf_stats(members: int) -> dict[str, str]:
    """A gossip pool's section, with serf's keys: a pool of one member that has seen no
    traffic (the clocks start at 1)."""
    return {
        "coordinate_resets": "0",
        "encrypted": "false",
        "event_queue": "0",
        "event_time": "1",
        "failed": "0",
        "health_score": "0",
        "intent_queue": "0",
        "left": "0",
        "member_time": "1",
        "members": str(members),
        "query_queue": "0",
        "query_time": "1",
    }


def stats(agent: Agent) -> dict[str, dict[str, str]]:
    cfg, srv = agent.config, agent.server
    last = str(srv.store.last_index)
    pools = {"serf_lan": serf_stats(1)}
    if cfg.server:
        pools["serf_wan"] = serf_stats(1)
    return {
        "agent": agent_stats(agent),
        "build": {"version": CONSUL_VERSION, "prerelease": "", "revision": f"cnsl-{CNSL_VERSION}"},
        "consul": {
            "server": str(cfg.server).lower(),
            "leader": str(srv.is_leader).lower(),
            "leader_addr": srv.leader_addr,
            "bootstrap": str(cfg.bootstrap).lower(),
            "known_datacenters": "1",
        },
        "raft": {
            "state": "Leader" if srv.is_leader else "Follower",
            "term": "1",
            "last_log_index": last,
            "commit_index": last,
            "applied_index": last,
            "num_peers": "0",
        },
        "runtime": {
            "os": sys.platform,
            "arch": platform.machine(),
            "version": f"python{platform.python_version()}",
            "cpu_count": str(os.cpu_count() or 1),
        },
        **pools,
    }


async def self_(agent: Agent, req: Request) -> Response:
    cfg = agent.config
    return json_response(
        {
            "Config": {
                "Datacenter": cfg.datacenter,
                "PrimaryDatacenter": cfg.datacenter,
                "NodeName": cfg.node_name,
                "NodeID": cfg.node_id,
                "Revision": f"cnsl-{CNSL_VERSION}",
                "Server": cfg.server,
                "Version": CONSUL_VERSION,
                "BuildDate": "2026-01-01T00:00:00Z",
            },
            "DebugConfig": {
                "Datacenter": cfg.datacenter,
                "NodeName": cfg.node_name,
                "NodeID": cfg.node_id,
                "ServerMode": cfg.server,
                "Bootstrap": cfg.bootstrap,
                "DataDir": cfg.data_dir or "",
                "DevMode": cfg.dev,
                "ClientAddrs": list(cfg.client_addrs),
                "BindAddr": cfg.bind_addr,
                "AdvertiseAddrLAN": cfg.advertise_addr,
                "HTTPPort": cfg.http_port,
                "DNSPort": cfg.dns_port,
                "ServerPort": cfg.server_port,
                "DNSDomain": cfg.domain,
                "KVMaxValueSize": cfg.kv_max_value_size,
                "TxnMaxReqLen": cfg.txn_max_req_len,
                "LogLevel": cfg.log_level,
            },
            "Coord": {"Vec": [0.0] * 8, "Error": 1.5, "Adjustment": 0.0, "Height": 1e-05},
            "Member": member(agent),
            "Stats": stats(agent),
            "Meta": {"consul-network-segment": ""},
        }
    )
