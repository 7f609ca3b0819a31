"""The Agent: builds every component from the runtime config and owns their tasks."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import resource

from agentd.acl_resolve import ACLSettings, Resolver
from agentd.config import ConfigError, RuntimeConfig, load, setup_logging
from agentd.dns import DNSServer
from agentd.endpoints import acl as acl_endpoint
from agentd.endpoints import coordinate as coordinate_endpoint
from agentd.event import EventBuffer
from agentd.fsm import FSM
from agentd.httpapi.app import App
from agentd.httpapi.routes import router
from agentd.httpapi.transport import HttpServer
from agentd.leader import Leader, Self, self_node
from agentd.local.agent import LocalAgent
from agentd.local.antientropy import AntiEntropy
from agentd.local.checks import CheckManager
from agentd.local.state import LocalState
from agentd.log.base import Log
from agentd.log.memory import MemoryLog
from agentd.metrics import Registry
from agentd.server import Server
from agentd.state.store import Store
from agentd.structs.commands import MessageType
from cnslkit.watch.planset import AgentWatches

log = logging.getLogger(__name__)

SNAPSHOT_MAX_BODY = 256 * 1024 * 1024

_RESTART_ONLY = (
    "http_listeners",
    "dns_listeners",
    "data_dir",
    "datacenter",
    "node_name",
    "node_id",
    "server",
    "bootstrap",
    "advertise_addr",
    "server_port",
    "http_max_conns_per_client",
)


def _raise_fd_limit() -> None:
    """Blocking queries hold a connection each: allow as many as the hard limit permits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


def _scripts_allowed(config: RuntimeConfig) -> bool:
    raw = config.raw
    return bool(raw.get("enable_script_checks") or raw.get("enable_local_script_checks"))


class Agent:
    def __init__(self, config: RuntimeConfig) -> None:
        self.config = config
        self.store = Store()
        self.fsm = FSM(self.store)
        self.log = self._make_log()
        self.server = Server(
            self.store,
            self.fsm,
            self.log,
            f"{config.advertise_addr}:{config.server_port}",
            default_wait=config.default_query_time,
            max_wait=config.max_query_time,
        )
        self.acl = Resolver(self.store, ACLSettings.from_raw(config.raw), config.datacenter)
        self.acl.load_persisted(config.data_dir)
        self.metrics = Registry()  # what /v1/agent/metrics reports; fed by the HTTP app
        self.app = App(self, router())
        self.http = HttpServer(
            self.app,
            max_conns_per_client=config.http_max_conns_per_client,
            # the largest body any route takes: snapshots (others are held to less by the app)
            max_body=max(config.kv_max_value_size, config.txn_max_req_len, SNAPSHOT_MAX_BODY),
        )
        self.local = LocalState(config.node_name)
        self.events = EventBuffer()
        self.checks = CheckManager(self.local, scripts_allowed=_scripts_allowed(config))
        self.local_agent = LocalAgent(self.local, self.checks)
        self.checks.deregister_service = self._deregister_critical
        self.checks.store = self.store
        self.antientropy = AntiEntropy(self.server, self.local, lambda: self_node(self._self()))
        self.leader: Leader | None = None
        self.http_addrs: list[str] = []  # where the API actually listens (ports resolved)
        self.watches: AgentWatches | None = None  # the config's ``watches``, via our own API
        self.dns = DNSServer.for_agent(self)
        self.dns_addrs: list[str] = []  # "host:port", UDP and TCP alike (ports resolved)
        self.ready = asyncio.Event()
        self._stop = asyncio.Event()

    def _make_log(self) -> Log:
        if self.config.data_dir is None:
            return MemoryLog(self.fsm)
        from agentd.log.local import LocalLog

        return LocalLog(self.fsm, self.config.data_dir)

    async def run(self) -> None:
        _raise_fd_limit()
        await self.log.open()
        log.info(
            "agent: node %s (%s) in %s, %s, state at index %d",
            self.config.node_name,
            self.config.node_id,
            self.config.datacenter,
            "dev mode (in memory)" if self.config.data_dir is None else self.config.data_dir,
            self.store.last_index,
        )
        try:
            async with asyncio.TaskGroup() as tg:
                log_task = tg.create_task(self.log.run(), name="log")
                if self.store.last_index == 0:
                    await self.server.propose({"Type": int(MessageType.NOOP)})
                leader = self.leader = Leader(self.server, self._self())
                await leader.establish()
                coordinates = not self.config.raw.get("disable_coordinates")
                if coordinates:
                    await coordinate_endpoint.ensure_own(self.server, self.config.node_name)
                if self.acl.settings.enabled:
                    await acl_endpoint.establish(
                        self.server,
                        self.acl.settings.token("initial_management")
                        or self.acl.settings.token("master"),
                    )
                leader_task = tg.create_task(leader.run(), name="leader")
                self.local_agent.load_definitions(self.config.services, self.config.checks)
                local_tasks = [
                    tg.create_task(self.checks.run(), name="checks"),
                    tg.create_task(self.antientropy.run(), name="anti-entropy"),
                ]
                if coordinates:
                    keeper = coordinate_endpoint.keep_own(self.server, self.config.node_name)
                    local_tasks.append(tg.create_task(keeper, name="coordinate"))
                await self._listen()
                if self.http_addrs:
                    token = self.acl.token("agent") or self.acl.token("default")
                    self.watches = AgentWatches(self.http_addrs[0], token or None)
                    watches = self.watches.run(self.config.watches)
                    local_tasks.append(tg.create_task(watches, name="watches"))
                for lst in self.config.dns_listeners:
                    host, port = await self.dns.listen(lst.host, lst.port)
                    addr = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
                    self.dns_addrs.append(addr)
                    log.info("agent: DNS listening on udp://%s tcp://%s", addr, addr)
                local_tasks.append(tg.create_task(self.dns.run(), name="dns"))
                self.ready.set()
                log.info("agent: started; leader is %s", self.server.leader_addr)
                await self._stop.wait()
                log.info("agent: shutting down")
                await self.http.close()
                for task in local_tasks:
                    task.cancel()
                leader_task.cancel()
                await asyncio.gather(*local_tasks, leader_task, return_exceptions=True)
                log_task.cancel()
        finally:
            self.dns.close()
            await self.http.close()
            await self.log.close()
            log.info("agent: stopped")

    def _self(self) -> Self:
        cfg = self.config
        meta = cfg.raw.get("node_meta") or {}
        return Self(
            node=cfg.node_name,
            node_id=cfg.node_id,
            address=cfg.advertise_addr,
            datacenter=cfg.datacenter,
            server_port=cfg.server_port,
            meta={str(k): str(v) for k, v in meta.items()},
        )

    async def _listen(self) -> None:
        for lst in self.config.http_listeners:
            if lst.kind == "unix":
                path = await self.http.listen_unix(lst.path, self.config.unix_socket_mode)
                addr = f"unix://{path}"
            else:
                host, port = await self.http.listen_tcp(lst.host, lst.port)
                addr = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
            self.http_addrs.append(addr)
            log.info("agent: HTTP API listening on %s", addr)

    def _deregister_critical(self, service_id: str) -> None:
        if service_id in self.local.services:
            self.local_agent.remove_service(service_id)

    def stop(self) -> None:
        self._stop.set()

    def leave(self) -> None:
        """A graceful leave (``PUT /v1/agent/leave``): a single node leaves its cluster by
        stopping as on SIGTERM, once the answer in hand has been written."""
        log.info("agent: graceful leave requested, shutting down")
        asyncio.get_running_loop().call_soon(self.stop)

    def reload(self) -> None:
        """SIGHUP: read the config again; settings that need a restart are reported, not applied."""
        try:
            new = load(self.config.flags)
        except ConfigError as exc:
            log.error("agent: reload failed, keeping the running config: %s", exc)
            return
        setup_logging(new.log_level)
        kept = {}
        for name in _RESTART_ONLY:
            if getattr(new, name) != getattr(self.config, name):
                log.warning("agent: reload: %s changed; it takes effect after a restart", name)
                kept[name] = getattr(self.config, name)
        self.config = dataclasses.replace(new, **kept)
        for name in self.acl.reload(ACLSettings.from_raw(new.raw)):
            log.warning("agent: reload: %s changed; it takes effect after a restart", name)
        self.checks.scripts_allowed = _scripts_allowed(self.config)
        self.local_agent.load_definitions(self.config.services, self.config.checks)
        if self.watches is not None:
            self.watches.apply(self.config.watches)
        log.info("agent: configuration reloaded")
