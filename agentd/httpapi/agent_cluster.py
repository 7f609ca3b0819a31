"""``/v1/agent/join/<addr>``, ``/v1/agent/leave``, ``/v1/agent/force-leave/<node>``.

This agent gossips with no one: it is a single-node cluster, the only member of its LAN pool and,
as a server, of the WAN pool (where it is named ``<node>.<datacenter>``). So:

- join: an address that reaches this agent's own gossip port (its bind or advertise address, a
  loopback address, or with a wildcard bind any local address; the port defaults to the pool's
  Serf port) succeeds with 200 and an empty body, as Consul's join of a member's own address does.
  Anything else fails as Consul's failed join does: 500 with memberlist's multi-error text naming
  the address and why (``1 error occurred:\\n\\t* Failed to join 10.0.0.9:8301: ...``). ``?wan``
  (a non-empty value) joins the WAN pool, for servers only.
- leave: 200 with an empty body, then the agent shuts down as on SIGTERM, which is what Consul's
  server does (it leaves its pools and exits). Nothing is deregistered: a leader never
  deregisters its own node, and this agent's services stay defined for its next start.
- force-leave: needs operator:write. A name that is not a member is Consul's 500 ``agent: No node
  found with name '<node>'``; our own name is accepted and changes nothing (serf refutes a leave
  intent about a live member, itself included). With ``?wan`` the name must be the WAN member name
  and Consul's error names an empty node (its message uses the LAN name it did not look up), which
  is kept. ``?prune`` has nothing to prune.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import TYPE_CHECKING

from agentd.config_schema import lookup
from agentd.errors import AgentError
from agentd.httpapi.request import Request, Response

if TYPE_CHECKING:
    from agentd.agent import Agent
    from agentd.config import RuntimeConfig

log = logging.getLogger(__name__)

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
NO_GOSSIP = "this agent is a single-node cluster and has no gossip pool to join"
_WILDCARDS = ("0.0.0.0", "::", "[::]")


def multierror(errors: list[str]) -> str:
    """go-multierror's list format, which Consul's join errors come in."""
    if len(errors) == 1:
        return f"1 error occurred:\n\t* {errors[0]}\n\n"
    points = "\n\t".join(f"* {e}" for e in errors)
    return f"{len(errors)} errors occurred:\n\t{points}\n\n"


def _has_port(addr: str) -> bool:
    if addr.rfind("[") == 0:
        return addr.rfind(":") > addr.rfind("]")
    return addr.count(":") == 1


def _join_host_port(host: str, port: int | str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _split_host_port(hostport: str) -> tuple[str, str]:
    """Go's net.SplitHostPort (the cases a join address can reach); ValueError with its text."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ValueError(f"address {hostport}: missing ']' in address")
        if end + 1 == len(hostport) or hostport[end + 1] != ":":
            raise ValueError(f"address {hostport}: missing port in address")
        return hostport[1:end], hostport[end + 2 :]
    host, sep, port = hostport.rpartition(":")
    if not sep:
        raise ValueError(f"address {hostport}: missing port in address")
    if ":" in host:
        raise ValueError(f"address {hostport}: too many colons in address")
    return host, port


def _parse_port(text: str) -> int:
    """Go's strconv.ParseUint(text, 10, 16), with its error text."""
    if not text or not all("0" <= c <= "9" for c in text):
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    port = int(text)
    if port > 0xFFFF:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return port


def _ip(text: str) -> IP | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _bindable(ip: IP) -> bool:
    """Whether ``ip`` is an address of this host (binding to it succeeds)."""
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.bind((str(ip), 0))
    except OSError:
        return False
    return True


class Pool:
    """This agent's own gossip endpoint in one pool (LAN or WAN), as configured."""

    def __init__(self, cfg: RuntimeConfig, wan: bool) -> None:
        raw = cfg.raw
        self.port = int(lookup(raw, "ports.serf_wan" if wan else "ports.serf_lan") or 0)
        self.bind = str(raw.get("serf_wan" if wan else "serf_lan") or cfg.bind_addr)
        advertise = str((raw.get("advertise_addr_wan") if wan else None) or cfg.advertise_addr)
        self.addresses = {a for a in (_ip(self.bind), _ip(advertise)) if a is not None}

    def is_self(self, ip: IP, port: int) -> bool:
        if port != self.port:
            return False
        if ip in self.addresses or ip.is_loopback:
            return True
        return self.bind in _WILDCARDS and _bindable(ip)


async def _resolve(host: str) -> list[IP]:
    """memberlist's lookup of a host name: every address it has; OSError when none."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    found: dict[IP, None] = {}
    for info in infos:
        ip = _ip(str(info[4][0]))
        if ip is not None:
            found[ip] = None
    if not found:
        raise OSError("no such host")
    return list(found)


async def join_errors(pool: Pool, addr: str) -> list[str]:
    """memberlist's Join of one address: [] when it reached a member (here: ourselves), else the
    errors it collected."""
    hostport = addr
    slash = hostport.find("/")  # an optional leading "<node name>/"
    if slash == 0:
        return [f"Failed to resolve {addr}: empty node name provided"]
    if slash > 0:
        hostport = hostport[slash + 1 :]
    if not _has_port(hostport):
        hostport = _join_host_port(hostport, pool.port)
    try:
        host, sport = _split_host_port(hostport)
        port = _parse_port(sport)
    except ValueError as exc:
        return [f"Failed to resolve {addr}: {exc}"]
    literal = _ip(host)
    if literal is not None:
        ips = [literal]
    else:
        try:
            ips = await _resolve(host)
        except OSError:
            return [f"Failed to resolve {addr}: lookup {host}: no such host"]
    errors = []
    for ip in ips:
        if pool.is_self(ip, port):
            return []
        errors.append(f"Failed to join {_join_host_port(str(ip), port)}: {NO_GOSSIP}")
    return errors


async def join(agent: Agent, req: Request) -> Response:
    cfg = agent.config
    wan = bool(req.arg("wan"))
    addr = req.path.removeprefix("/v1/agent/join/")
    area = "WAN" if wan else "LAN"
    log.info("agent: (%s) joining: %s", area, addr)
    if wan and not cfg.server:
        raise AgentError("Must be a server to join WAN cluster")
    errors = await join_errors(Pool(cfg, wan), addr)
    if errors:
        message = multierror(errors)
        log.warning("agent: (%s) couldn't join: %s", area, message.strip())
        raise AgentError(message)
    log.info("agent: (%s) joined: 1 node (this agent)", area)
    return Response(200, b"", None)


async def leave(agent: Agent, req: Request) -> Response:
    agent.leave()
    return Response(200, b"", None, close=True)


def is_member(cfg: RuntimeConfig, name: str, wan: bool) -> bool:
    """Whether ``name`` names this agent in the pool(s) Consul's force-leave looks in: the LAN
    pool by node name, and on a server the WAN pool as ``<node>.<dc>`` (``.<dc>`` is added to a
    LAN lookup's name that lacks it; ``?wan`` looks in the WAN pool only, by the name given)."""
    wan_name = f"{cfg.node_name}.{cfg.datacenter}"
    if wan:
        return name == wan_name
    if name == cfg.node_name:
        return True
    if not cfg.server:
        return False
    suffix = "." + cfg.datacenter
    return (name if name.endswith(suffix) else name + suffix) == wan_name


async def force_leave(agent: Agent, req: Request) -> Response:
    cfg = agent.config
    name = req.path.removeprefix("/v1/agent/force-leave/")
    wan, prune = req.has("wan"), req.has("prune")
    log.info("agent: %sForce leaving node: %s (prune=%s)", "(WAN) " if wan else "", name, prune)
    if wan and not cfg.server:
        raise AgentError("Must be a server to force-leave a node from the WAN cluster")
    if not is_member(cfg, name, wan):
        raise AgentError(f"agent: No node found with name '{'' if wan else name}'")
    # A live member refutes a leave intent about itself: forcing our own node out is a no-op.
    return Response(200, b"", None)
