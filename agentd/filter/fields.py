"""The selectable fields of each kind of response element, after Consul's field configurations.

Consul derives a filter's field configurations from the Go type of the elements an endpoint
filters (go-bexpr reflects over the struct), so these schemas follow those types, not the JSON:

* every exported struct field is selectable under its Go name, except those tagged ``bexpr:"-"``:
  ``CreateIndex``/``ModifyIndex`` (RaftIndex), ``HealthCheck.Definition``, ``Locality``,
  ``Proxy.Config``, ``Upstreams.Config``, the enterprise meta (``Namespace``; ``Partition`` too,
  except on ``Node`` where it is a plain field), ``AgentService.Datacenter``/``ContentHash``,
  ``ServiceConnect.SidecarService``;
* the Go name is what counts even where the JSON differs or omits the field (``PeerName``,
  ``SocketPath``, an empty ``Kind``): ``Filter`` evaluates a missing field as its zero value;
* ``NodeService.Connect`` and ``ServiceNode.ServiceConnect`` hold the same struct under their own
  field names;
* ``api.AgentService`` (``/v1/agent/services``) has exactly ``NodeService``'s configuration - Consul
  tests that the two stay in step.

Which endpoint filters which element type:

* ``NODE``: ``/v1/catalog/nodes``;
* ``SERVICE_NODE``: ``/v1/catalog/service/:name``;
* ``NODE_SERVICE``: ``/v1/catalog/node/:node`` (the values of ``Services``),
  ``/v1/catalog/node-services/:node``;
* ``HEALTH_CHECK``: ``/v1/health/node/:node``, ``/v1/health/checks/:service``,
  ``/v1/health/state/:state``, ``/v1/agent/checks``;
* ``CHECK_SERVICE_NODE``: ``/v1/health/service/:name``;
* ``AGENT_SERVICE``: ``/v1/agent/services``;
* ``AGENT_MEMBER``: ``/v1/agent/members``.

(Consul's ``/v1/catalog/services`` filters ``SERVICE_NODE`` before grouping tags by name; the
endpoint here does not take ``?filter`` yet.)
"""

from __future__ import annotations

from agentd.filter.schema import Schema

_STRINGS = "map[string]string"

SERVICE_ADDRESS: Schema = {"Address": "string", "Port": "int"}

WEIGHTS: Schema = {"Passing": "int", "Warning": "int"}

MESH_GATEWAY: Schema = {"Mode": "string"}

EXPOSE_PATH: Schema = {
    "ListenerPort": "int",
    "Path": "string",
    "LocalPathPort": "int",
    "Protocol": "string",
    "ParsedFromCheck": "bool",
}

EXPOSE: Schema = {"Checks": "bool", "Paths": ("list", EXPOSE_PATH)}

TRANSPARENT_PROXY: Schema = {"OutboundListenerPort": "int", "DialedDirectly": "bool"}

ACCESS_LOGS: Schema = {
    "Enabled": "bool",
    "DisableListenerLogs": "bool",
    "Type": "string",
    "Path": "string",
    "JSONPath": "string",
    "TextPath": "string",
}

ENVOY_EXTENSION: Schema = {  # Arguments is bexpr:"-"
    "Name": "string",
    "Required": "bool",
    "ConsulVersion": "string",
    "EnvoyVersion": "string",
}

UPSTREAM: Schema = {  # Config, CentrallyConfigured and IngressHosts are bexpr:"-"
    "DestinationType": "string",
    "DestinationNamespace": "string",
    "DestinationPartition": "string",
    "DestinationPeer": "string",
    "DestinationName": "string",
    "Datacenter": "string",
    "LocalBindAddress": "string",
    "LocalBindPort": "int",
    "LocalBindSocketPath": "string",
    "LocalBindSocketMode": "string",
    "MeshGateway": MESH_GATEWAY,
}

CONNECT_PROXY: Schema = {  # ConnectProxyConfig; Config and MutualTLSMode are bexpr:"-"
    "EnvoyExtensions": ("list", ENVOY_EXTENSION),
    "DestinationServiceName": "string",
    "DestinationServiceID": "string",
    "LocalServiceAddress": "string",
    "LocalServicePort": "int",
    "LocalServiceSocketPath": "string",
    "Mode": "string",
    "Upstreams": ("list", UPSTREAM),
    "MeshGateway": MESH_GATEWAY,
    "Expose": EXPOSE,
    "TransparentProxy": TRANSPARENT_PROXY,
    "AccessLogs": ACCESS_LOGS,
}

SERVICE_CONNECT: Schema = {"Native": "bool"}  # SidecarService is bexpr:"-"

# structs.Node; Locality and RaftIndex are bexpr:"-".
NODE: Schema = {
    "ID": "string",
    "Node": "string",
    "Partition": "string",
    "PeerName": "string",
    "Address": "string",
    "Datacenter": "string",
    "TaggedAddresses": _STRINGS,
    "Meta": _STRINGS,
}

# structs.NodeService; LocallyRegisteredAsSidecar, Locality, enterprise meta, RaftIndex: bexpr:"-".
NODE_SERVICE: Schema = {
    "Kind": "string",
    "ID": "string",
    "Service": "string",
    "Tags": "list[string]",
    "Address": "string",
    "TaggedAddresses": ("map", SERVICE_ADDRESS),
    "Meta": _STRINGS,
    "Port": "int",
    "SocketPath": "string",
    "Weights": WEIGHTS,
    "EnableTagOverride": "bool",
    "Proxy": CONNECT_PROXY,
    "Connect": SERVICE_CONNECT,
    "PeerName": "string",
}

# api.AgentService: the same configuration as NodeService.
AGENT_SERVICE: Schema = NODE_SERVICE

# structs.ServiceNode (a /v1/catalog/service element); ServiceLocality, enterprise meta and
# RaftIndex are bexpr:"-".
SERVICE_NODE: Schema = {
    "ID": "string",
    "Node": "string",
    "Address": "string",
    "Datacenter": "string",
    "TaggedAddresses": _STRINGS,
    "NodeMeta": _STRINGS,
    "ServiceKind": "string",
    "ServiceID": "string",
    "ServiceName": "string",
    "ServiceTags": "list[string]",
    "ServiceAddress": "string",
    "ServiceTaggedAddresses": ("map", SERVICE_ADDRESS),
    "ServiceMeta": _STRINGS,
    "ServicePort": "int",
    "ServiceSocketPath": "string",
    "ServiceWeights": WEIGHTS,
    "ServiceEnableTagOverride": "bool",
    "ServiceProxy": CONNECT_PROXY,
    "ServiceConnect": SERVICE_CONNECT,
    "PeerName": "string",
}

# structs.HealthCheck; Definition, enterprise meta and RaftIndex are bexpr:"-".
HEALTH_CHECK: Schema = {
    "Node": "string",
    "CheckID": "string",
    "Name": "string",
    "Status": "string",
    "Notes": "string",
    "Output": "string",
    "ServiceID": "string",
    "ServiceName": "string",
    "ServiceTags": "list[string]",
    "Type": "string",
    "Interval": "string",
    "Timeout": "string",
    "ExposedPort": "int",
    "PeerName": "string",
    # A timestamp: go-bexpr sees a struct without exported fields, selectable but matching no
    # operator.
    "LastCheckStartTime": {},
}

# structs.CheckServiceNode (a /v1/health/service element).
CHECK_SERVICE_NODE: Schema = {
    "Node": NODE,
    "Service": NODE_SERVICE,
    "Checks": ("list", HEALTH_CHECK),
}

# serf.Member (a /v1/agent/members element). Addr is a net.IP, which go-bexpr sees as a slice of
# bytes, so it takes only ``in``/``is empty``; Port and the versions are small unsigned integers;
# Status is serf's MemberStatus, an int (1 is alive).
AGENT_MEMBER: Schema = {
    "Name": "string",
    "Addr": "list[uint]",
    "Port": "uint",
    "Tags": _STRINGS,
    "Status": "int",
    "ProtocolMin": "uint",
    "ProtocolMax": "uint",
    "ProtocolCur": "uint",
    "DelegateMin": "uint",
    "DelegateMax": "uint",
    "DelegateCur": "uint",
}
