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


def stats(agent: Agent) -> dict[str, dict[str, str]]:
    cfg, srv = agent.config, agent.server
    last = str(srv.store.last_index)
    return {
        "agent": {"checks": "0", "services": "0", "check_monitors": "0", "check_ttls": "0"},
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
