"""The catalog tables: nodes, service instances, health checks.

Indexes: each table has one (``nodes``, ``services``, ``checks``) and each service name has its own
(``service.<name>``), so a read reports the highest index of anything that could change its answer.
Watch keys: ``("table", name)``, ``("service", name)`` and ``("node", name)``, names lower-cased:
node and service names are case-insensitive, as in Consul.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import replace
from typing import Any

from agentd.state.watch import WatchHub, WatchSet
from agentd.structs.catalog import Check, Node, Service, from_wire, to_wire

NodeKey = str  # lower-cased node name
ServiceKey = tuple[str, str]  # (node key, service id)
CheckKey = tuple[str, str]  # (node key, check id)


class CatalogError(Exception):
    """A write the catalog refuses (Consul answers 500 with the message)."""


class CatalogTable:
    def __init__(self, hub: WatchHub) -> None:
        self._hub = hub
        self.nodes: dict[NodeKey, Node] = {}
        self.services: dict[ServiceKey, Service] = {}
        self.checks: dict[CheckKey, Check] = {}
        self.indexes: dict[str, int] = {}

    # ---- indexes and wake-ups -----------------------------------------------------------------

    def index(self, *names: str) -> int:
        return max((self.indexes.get(n, 0) for n in names), default=0)

    def _bump(self, index: int, *names: str) -> None:
        for name in names:
            self.indexes[name] = index
        self._hub.notify_many(("table", n) for n in names if "." not in n)

    def _touch_service(self, index: int, name: str) -> None:
        key = name.lower()
        self.indexes[f"service.{key}"] = index
        self._hub.notify(("service", key))

    def _touch_node(self, node: str) -> None:
        self._hub.notify(("node", node.lower()))

    # ---- reads --------------------------------------------------------------------------------

    def get_node(self, ws: WatchSet | None, name: str) -> Node | None:
        if ws is not None:
            ws.add(("node", name.lower()))
        return self.nodes.get(name.lower())

    def list_nodes(self, ws: WatchSet | None) -> tuple[int, list[Node]]:
        if ws is not None:
            ws.add(("table", "nodes"))
        return self.index("nodes"), sorted(self.nodes.values(), key=lambda n: n.node)

    def list_services(self, ws: WatchSet | None) -> tuple[int, dict[str, list[str]]]:
        if ws is not None:
            ws.add(("table", "services"))
        out: dict[str, list[str]] = {}
        for svc in self.services.values():
            tags = out.setdefault(svc.service, [])
            for t in svc.tags:
                if t not in tags:
                    tags.append(t)
        return self.index("services"), out

    def service_instances(self, ws: WatchSet | None, name: str) -> tuple[int, list[Service]]:
        key = name.lower()
        if ws is not None:
            ws.add(("service", key))
        found = [s for s in self.services.values() if s.service.lower() == key]
        found.sort(key=lambda s: (s.node.lower(), s.id))
        return self.service_index(key), found

    def service_index(self, key: str) -> int:
        """Bumped by any change to the service's instances, their nodes or their checks."""
        return self.indexes.get(f"service.{key}", 0) or self.index("services")

    def node_services(
        self, ws: WatchSet | None, name: str
    ) -> tuple[int, Node | None, list[Service]]:
        key = name.lower()
        if ws is not None:
            ws.add(("node", key))
        node = self.nodes.get(key)
        svcs = [s for (n, _), s in self.services.items() if n == key]
        svcs.sort(key=lambda s: s.id)
        return self.index("nodes", "services"), node, svcs

    def node_checks(self, ws: WatchSet | None, name: str) -> tuple[int, list[Check]]:
        key = name.lower()
        if ws is not None:
            ws.add(("node", key))
        checks = sorted(
            (c for (n, _), c in self.checks.items() if n == key), key=lambda c: c.check_id
        )
        return self.index("checks"), checks

    def service_checks(self, ws: WatchSet | None, name: str) -> tuple[int, list[Check]]:
        key = name.lower()
        if ws is not None:
            ws.add(("service", key))
        checks = [c for c in self.checks.values() if c.service_name.lower() == key]
        checks.sort(key=lambda c: (c.node.lower(), c.check_id))
        return self.service_index(key), checks

    def checks_in_state(self, ws: WatchSet | None, state: str) -> tuple[int, list[Check]]:
        if ws is not None:
            ws.add(("table", "checks"))
        checks = [c for c in self.checks.values() if state == "any" or c.status == state]
        checks.sort(key=lambda c: (c.node.lower(), c.check_id))
        return self.index("checks"), checks

    def checks_of(self, node: str, service_id: str) -> list[Check]:
        """An instance's checks: its own service checks and every node-level check."""
        key = node.lower()
        return sorted(
            (
                c
                for (n, _), c in self.checks.items()
                if n == key and (c.service_id == "" or c.service_id == service_id)
            ),
            key=lambda c: (c.service_id != "", c.check_id),
        )

    # ---- writes -------------------------------------------------------------------------------

    def register(
        self,
        index: int,
        node: Node,
        service: Service | None,
        checks: list[Check],
        skip_node_update: bool = False,
    ) -> None:
        """A catalog registration: validated as a whole first, so a refused one changes nothing."""
        nkey = node.node.lower()
        if nkey not in self.nodes and (skip_node_update or not node.address):
            raise CatalogError("Missing node registration")
        for chk in checks:
            if (
                chk.service_id
                and (service is None or service.id != chk.service_id)
                and ((nkey, chk.service_id) not in self.services)
            ):
                raise CatalogError(f"Missing service registration: {chk.service_id}")
        if not skip_node_update:
            old = self.nodes.get(nkey)
            if old is not None and not node.id:
                node = replace(node, id=old.id)
            self.ensure_node(index, node)
        if service is not None:
            self.ensure_service(index, service)
        for chk in checks:
            self.ensure_check(index, chk)

    def ensure_node(self, index: int, node: Node) -> None:
        key = node.node.lower()
        old = self.nodes.get(key)
        if old is not None and replace(old, create_index=0, modify_index=0) == node:
            return  # unchanged: no index bump, no wake-up
        create = old.create_index if old is not None else index
        self.nodes[key] = replace(node, create_index=create, modify_index=index)
        self._bump(index, "nodes")
        self._touch_node(node.node)
        for svc in self.services.values():  # health/catalog answers embed the node
            if svc.node.lower() == key:
                self._touch_service(index, svc.service)

    def ensure_service(self, index: int, svc: Service) -> None:
        nkey = svc.node.lower()
        if nkey not in self.nodes:
            raise CatalogError("Missing node registration")
        old = self.services.get((nkey, svc.id))
        if old is not None and replace(old, create_index=0, modify_index=0) == svc:
            return
        create = old.create_index if old is not None else index
        self.services[(nkey, svc.id)] = replace(svc, create_index=create, modify_index=index)
        self._bump(index, "services")
        self._touch_service(index, svc.service)
        if old is not None and old.service != svc.service:
            self._touch_service(index, old.service)
        self._touch_node(svc.node)
        # service checks carry the service's name and tags
        for ckey, chk in list(self.checks.items()):
            if ckey[0] == nkey and chk.service_id == svc.id:
                self.checks[ckey] = replace(
                    chk, service_name=svc.service, service_tags=svc.tags, modify_index=index
                )
                self._bump(index, "checks")

    def ensure_check(self, index: int, chk: Check) -> None:
        nkey = chk.node.lower()
        if nkey not in self.nodes:
            raise CatalogError("Missing node registration")
        if chk.service_id:
            svc = self.services.get((nkey, chk.service_id))
            if svc is None:
                raise CatalogError(f"Missing service registration: {chk.service_id}")
            chk = replace(chk, service_name=svc.service, service_tags=svc.tags)
        else:
            chk = replace(chk, service_name="", service_tags=())
        old = self.checks.get((nkey, chk.check_id))
        if old is not None and replace(old, create_index=0, modify_index=0) == chk:
            return
        create = old.create_index if old is not None else index
        self.checks[(nkey, chk.check_id)] = replace(chk, create_index=create, modify_index=index)
        self._bump(index, "checks")
        self._touch_node(chk.node)
        if chk.service_name:
            self._touch_service(index, chk.service_name)
        else:
            for svc in self.services.values():  # node checks change every instance's health
                if svc.node.lower() == nkey:
                    self._touch_service(index, svc.service)

    def delete_check(self, index: int, node: str, check_id: str) -> bool:
        nkey = node.lower()
        chk = self.checks.pop((nkey, check_id), None)
        if chk is None:
            return False
        self._bump(index, "checks")
        self._touch_node(node)
        if chk.service_name:
            self._touch_service(index, chk.service_name)
        else:
            for svc in self.services.values():
                if svc.node.lower() == nkey:
                    self._touch_service(index, svc.service)
        return True

    def delete_service(self, index: int, node: str, service_id: str) -> bool:
        nkey = node.lower()
        svc = self.services.pop((nkey, service_id), None)
        if svc is None:
            return False
        for ckey in [
            k for k, c in self.checks.items() if k[0] == nkey and c.service_id == service_id
        ]:
            del self.checks[ckey]
            self._bump(index, "checks")
        self._bump(index, "services")
        self._touch_service(index, svc.service)
        self._touch_node(node)
        return True

    def delete_node(self, index: int, node: str) -> bool:
        nkey = node.lower()
        if nkey not in self.nodes:
            return False
        for skey in [k for k in self.services if k[0] == nkey]:
            self.delete_service(index, node, skey[1])
        for ckey in [k for k in self.checks if k[0] == nkey]:
            self.delete_check(index, node, ckey[1])
        del self.nodes[nkey]
        self._bump(index, "nodes")
        self._touch_node(node)
        return True

    # ---- transactions -------------------------------------------------------------------------

    def fork(self, hub: WatchHub) -> CatalogTable:
        """A copy for a transaction to stage its writes on: the maps are copied, the records
        (immutable) shared, and the copy's wake-ups go to ``hub`` instead of the live one."""
        copy = CatalogTable(hub)
        copy.nodes = dict(self.nodes)
        copy.services = dict(self.services)
        copy.checks = dict(self.checks)
        copy.indexes = dict(self.indexes)
        return copy

    def adopt(self, staged: CatalogTable, wake: Iterable[Hashable]) -> None:
        """Commit a staged copy from ``fork``: take its maps and indexes whole, then wake the
        watch keys its writes touched, each once."""
        self.nodes, self.services, self.checks = staged.nodes, staged.services, staged.checks
        self.indexes = staged.indexes
        self._hub.notify_many(dict.fromkeys(wake))

    # ---- snapshot image -----------------------------------------------------------------------

    def image(self) -> dict[str, Any]:
        return {
            "Nodes": [to_wire(n) for n in self.nodes.values()],
            "Services": [to_wire(s) for s in self.services.values()],
            "Checks": [to_wire(c) for c in self.checks.values()],
            "Indexes": dict(self.indexes),
        }

    def load(self, image: dict[str, Any]) -> None:
        nodes = [from_wire(Node, raw) for raw in image.get("Nodes", [])]
        services = [from_wire(Service, raw) for raw in image.get("Services", [])]
        checks = [from_wire(Check, raw) for raw in image.get("Checks", [])]
        self.nodes = {n.node.lower(): n for n in nodes}
        self.services = {(s.node.lower(), s.id): s for s in services}
        self.checks = {(c.node.lower(), c.check_id): c for c in checks}
        self.indexes = dict(image.get("Indexes", {}))
