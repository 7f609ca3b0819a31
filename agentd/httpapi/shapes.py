"""Catalog records as Consul's JSON (field names and order, empty collections as [] / {})."""

from __future__ import annotations

from typing import Any

from agentd.structs.catalog import Check, Node, Service

_PROXY_DEFAULT = {"Mode": "", "MeshGateway": {}, "Expose": {}}


def node_json(n: Node) -> dict[str, Any]:
    return {
        "ID": n.id,
        "Node": n.node,
        "Address": n.address,
        "Datacenter": n.datacenter,
        "TaggedAddresses": n.tagged_addresses,
        "Meta": n.meta,
        "CreateIndex": n.create_index,
        "ModifyIndex": n.modify_index,
    }


def catalog_service_json(n: Node, s: Service) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ID": n.id,
        "Node": n.node,
        "Address": n.address,
        "Datacenter": n.datacenter,
        "TaggedAddresses": n.tagged_addresses,
        "NodeMeta": n.meta,
        "ServiceKind": s.kind,
        "ServiceID": s.id,
        "ServiceName": s.service,
        "ServiceTags": list(s.tags),
        "ServiceAddress": s.address,
    }
    if s.tagged_addresses:
        out["ServiceTaggedAddresses"] = s.tagged_addresses
    out.update(
        ServiceWeights=s.weights,
        ServiceMeta=s.meta,
        ServicePort=s.port,
        ServiceSocketPath=s.socket_path,
        ServiceEnableTagOverride=s.enable_tag_override,
        ServiceProxy=s.proxy or _PROXY_DEFAULT,
        ServiceConnect=s.connect,
        ServiceLocality=None,
        CreateIndex=s.create_index,
        ModifyIndex=s.modify_index,
    )
    return out


def node_service_json(s: Service) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if s.kind:
        out["Kind"] = s.kind
    out.update(ID=s.id, Service=s.service, Tags=list(s.tags), Address=s.address)
    if s.tagged_addresses:
        out["TaggedAddresses"] = s.tagged_addresses
    out.update(
        Meta=s.meta,
        Port=s.port,
        Weights=s.weights,
        EnableTagOverride=s.enable_tag_override,
        Proxy=s.proxy or _PROXY_DEFAULT,
        Connect=s.connect,
        PeerName="",
        CreateIndex=s.create_index,
        ModifyIndex=s.modify_index,
    )
    return out


def check_json(c: Check) -> dict[str, Any]:
    return {
        "Node": c.node,
        "CheckID": c.check_id,
        "Name": c.name,
        "Status": c.status,
        "Notes": c.notes,
        "Output": c.output,
        "ServiceID": c.service_id,
        "ServiceName": c.service_name,
        "ServiceTags": list(c.service_tags),
        "Type": c.type,
        "Interval": c.interval,
        "Timeout": c.timeout,
        "ExposedPort": 0,
        "Definition": c.definition,
        "CreateIndex": c.create_index,
        "ModifyIndex": c.modify_index,
    }
