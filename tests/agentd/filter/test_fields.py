"""The per-endpoint schemas: Consul's documented selectors pass, anything else fails as it does."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from agentd.filter import FilterError, Schema, compile_filter, fields
from agentd.filter.schema import _split
from agentd.httpapi.agent import member
from agentd.httpapi.agent_local import agent_service_json
from agentd.httpapi.shapes import catalog_service_json, check_json, node_json, node_service_json
from agentd.structs.catalog import Check, Node, Service

# The "Filtering" tables of Consul's API docs, per element type, plus the fields its Go types
# gained since (PeerName, Partition, SocketPath, Expose, TransparentProxy, ...).
DOCUMENTED: dict[str, tuple[Schema, list[str]]] = {
    "node": (
        fields.NODE,
        [
            'Address == "10.0.0.1"',
            "Datacenter != dc2",
            "ID matches `^40e4`",
            "Meta is empty",
            "env in Meta",
            "Meta.env == qa",
            'Meta["instance type"] not matches "t2"',
            "Node contains web",
            "PeerName == peer1",
            "Partition == default",
            "TaggedAddresses is not empty",
            "wan not in TaggedAddresses",
            'TaggedAddresses.lan == "10.0.0.1"',
        ],
    ),
    "service node": (
        fields.SERVICE_NODE,
        [
            "Address == a",
            "Datacenter == dc1",
            "ID == x",
            "Node == n1",
            "NodeMeta.os == linux",
            "NodeMeta is empty",
            'ServiceAddress == ""',
            "ServiceConnect.Native == true",
            "ServiceEnableTagOverride == false",
            'ServiceID == "web-1"',
            'ServiceKind == ""',
            "ServiceMeta.version == 1",
            "version in ServiceMeta",
            "ServiceName matches `^web`",
            "ServicePort == 8080",
            'ServicePort == "8080"',
            'ServiceProxy.DestinationServiceID == "web-1"',
            "ServiceProxy.DestinationServiceName == web",
            'ServiceProxy.LocalServiceAddress == "127.0.0.1"',
            "ServiceProxy.LocalServicePort == 8080",
            "ServiceProxy.Mode == transparent",
            "ServiceProxy.TransparentProxy.OutboundListenerPort == 15001",
            "ServiceProxy.TransparentProxy.DialedDirectly == true",
            "ServiceProxy.MeshGateway.Mode == local",
            "ServiceProxy.Upstreams.Datacenter == dc2",
            "ServiceProxy.Upstreams.DestinationName == db",
            "ServiceProxy.Upstreams.DestinationNamespace == default",
            "ServiceProxy.Upstreams.DestinationPartition == default",
            "ServiceProxy.Upstreams.DestinationPeer == p",
            "ServiceProxy.Upstreams.DestinationType == service",
            'ServiceProxy.Upstreams.LocalBindAddress == "127.0.0.1"',
            "ServiceProxy.Upstreams.LocalBindPort == 9191",
            'ServiceProxy.Upstreams.LocalBindSocketPath == "/s"',
            "ServiceProxy.Upstreams.MeshGateway.Mode == remote",
            "ServiceProxy.Upstreams is empty",
            "ServiceProxy.Expose.Checks == true",
            'ServiceProxy.Expose.Paths.Path == "/health"',
            "ServiceProxy.Expose.Paths.ListenerPort == 21500",
            'ServiceProxy.EnvoyExtensions.Name == "builtin/lua"',
            "ServiceProxy.EnvoyExtensions.Required == false",
            "ServiceProxy.AccessLogs.Enabled == true",
            "ServiceProxy.AccessLogs.JSONPath == x",
            'ServiceProxy.LocalServiceSocketPath == "/s"',
            'ServiceSocketPath == "/s"',
            'ServiceTaggedAddresses.lan.Address == "10.0.0.1"',
            "ServiceTaggedAddresses.wan.Port == 443",
            "ServiceTaggedAddresses is empty",
            "lan in ServiceTaggedAddresses",
            "v1 in ServiceTags",
            "ServiceTags is not empty",
            "ServiceWeights.Passing == 1",
            "ServiceWeights.Warning != 1",
            'TaggedAddresses.wan == "1.2.3.4"',
            "TaggedAddresses is empty",
            'PeerName == ""',
        ],
    ),
    "node service": (
        fields.NODE_SERVICE,
        [
            "Address == a",
            "Connect.Native == true",
            "EnableTagOverride == false",
            "ID == redis",
            'Kind == "connect-proxy"',
            "Meta.redis_version == 4.0",
            "Meta is not empty",
            "Port == 8000",
            "Proxy.DestinationServiceName == web",
            "Proxy.Upstreams.DestinationName == db",
            "Proxy.TransparentProxy.OutboundListenerPort == 15001",
            "Service == redis",
            'SocketPath == "/s"',
            'PeerName == ""',
            "v1 in Tags",
            'Tags contains "v1"',
            "Tags is empty",
            'TaggedAddresses.lan.Address == "10.1.10.12"',
            "TaggedAddresses.lan.Port == 8000",
            "Weights.Passing == 10",
            "Weights.Warning == 1",
        ],
    ),
    "health check": (
        fields.HEALTH_CHECK,
        [
            "CheckID == serfHealth",
            "Name == x",
            "Node == n1",
            'Notes == ""',
            "Output contains timeout",
            'ServiceID == "web-1"',
            'ServiceName != ""',
            "primary in ServiceTags",
            "ServiceTags is empty",
            "Status == passing",
            'Status matches "passing|warning"',
            "Type == ttl",
            'Interval == "10s"',
            'Timeout == "1s"',
            "ExposedPort == 21500",
            "PeerName == p",
        ],
    ),
    "check service node": (
        fields.CHECK_SERVICE_NODE,
        [
            "Checks is empty",
            "Checks.CheckID == serfHealth",
            "Checks.Name == x",
            "Checks.Node == n1",
            "Checks.Notes == x",
            "Checks.Output == x",
            "Checks.ServiceID == x",
            "Checks.ServiceName == x",
            "v1 in Checks.ServiceTags",
            "Checks.Status == passing",
            "Checks.Status != passing",
            'Node.Address == "10.1.10.12"',
            "Node.Datacenter == dc1",
            "Node.ID == x",
            "Node.Meta is empty",
            "Node.Meta.instance_type == t2.medium",
            "Node.Node == foobar",
            'Node.PeerName == ""',
            'Node.TaggedAddresses.lan == "10.1.10.12"',
            "Service.Address == x",
            "Service.Connect.Native == false",
            "Service.EnableTagOverride == false",
            "Service.ID == redis",
            'Service.Kind == ""',
            'Service.Meta.version == "2"',
            "Service.Meta is empty",
            "Service.Port == 8000",
            "Service.Proxy.DestinationServiceName == redis",
            "Service.Proxy.Upstreams.LocalBindPort == 9191",
            "Service.Service == redis",
            "Service.Tags contains primary",
            '"primary" in Service.Tags',
            'Service.TaggedAddresses.wan.Address == "198.18.1.2"',
            "Service.Weights.Passing == 10",
        ],
    ),
    "agent service": (
        fields.AGENT_SERVICE,
        ['Meta.env == "qa"', "Service == redis", "Port == 8080", "Weights.Passing == 1"],
    ),
    "agent member": (
        fields.AGENT_MEMBER,
        [
            'Name == "test-node"',
            "Name matches `^test`",
            'Tags["dc"] == dc2',
            "Tags.role == consul",
            "role in Tags",
            "Status == 1",
            "Port == 8301",
            "ProtocolCur == 2",
            "DelegateMax != 5",
            "1 in Addr",
            "Addr is not empty",
        ],
    ),
}

VALID = [(name, expr) for name, (_, exprs) in DOCUMENTED.items() for expr in exprs]


@pytest.mark.parametrize(("name", "expr"), VALID)
def test_documented_selectors_are_accepted(name: str, expr: str) -> None:
    compile_filter(expr, DOCUMENTED[name][0])


def unknown(selector: str) -> str:
    return f'Selector "{selector}" is not valid'


def bad_op(op: str, selector: str) -> str:
    return f'Invalid match operator "{op}" for selector "{selector}"'


def bad_value(value: str, selector: str, parse: str) -> str:
    return (
        f'Failed to coerce value "{value}" for selector "{selector}": '
        f'strconv.{parse}: parsing "{value}": invalid syntax'
    )


@pytest.mark.parametrize(
    ("schema", "expr", "message"),
    [
        (fields.SERVICE_NODE, "Foo == bar", unknown("Foo")),
        (fields.NODE, "Foo == bar", unknown("Foo")),
        (fields.NODE, "Locality.Region == r", unknown("Locality")),
        (fields.NODE, "CreateIndex == 1", unknown("CreateIndex")),
        (fields.NODE_SERVICE, "ModifyIndex == 1", unknown("ModifyIndex")),
        (fields.NODE_SERVICE, "Namespace == default", unknown("Namespace")),
        (fields.NODE_SERVICE, "Partition == default", unknown("Partition")),
        (fields.NODE_SERVICE, "ServiceConnect.Native == true", unknown("ServiceConnect")),
        (fields.NODE_SERVICE, "Proxy.Config.x == y", unknown("Proxy.Config")),
        (fields.NODE_SERVICE, "Proxy.Upstreams.Config.x == 1", unknown("Proxy.Upstreams.Config")),
        (
            fields.NODE_SERVICE,
            "Connect.SidecarService.Port == 1",
            unknown("Connect.SidecarService"),
        ),
        (fields.AGENT_SERVICE, "Datacenter == dc1", unknown("Datacenter")),
        (fields.AGENT_SERVICE, "ContentHash == x", unknown("ContentHash")),
        (fields.SERVICE_NODE, "Connect.Native == true", unknown("Connect")),
        (fields.SERVICE_NODE, "ServiceLocality.Zone == z", unknown("ServiceLocality")),
        (fields.SERVICE_NODE, "NodeMeta.os.x == 1", unknown("NodeMeta.os.x")),
        (fields.HEALTH_CHECK, "Definition.HTTP == x", unknown("Definition")),
        (fields.HEALTH_CHECK, "CheckId == x", unknown("CheckId")),
        (fields.CHECK_SERVICE_NODE, "Service.Foo == 1", unknown("Service.Foo")),
        (fields.CHECK_SERVICE_NODE, "Checks.Definition.TCP == x", unknown("Checks.Definition")),
        (fields.CHECK_SERVICE_NODE, "Meta.version == 1", unknown("Meta")),
        (fields.AGENT_MEMBER, "Role == consul", unknown("Role")),
        # Operators the field's type does not take.
        (fields.NODE_SERVICE, 'Port matches "x"', bad_op("Matches", "Port")),
        (fields.SERVICE_NODE, "ServiceTags == v1", bad_op("Equal", "ServiceTags")),
        (fields.SERVICE_NODE, "ServiceProxy is empty", bad_op("Is Empty", "ServiceProxy")),
        (
            fields.SERVICE_NODE,
            "ServiceTaggedAddresses.lan == x",
            bad_op("Equal", "ServiceTaggedAddresses.lan"),
        ),
        (fields.CHECK_SERVICE_NODE, "Checks == x", bad_op("Equal", "Checks")),
        (fields.CHECK_SERVICE_NODE, "Service.Weights == 1", bad_op("Equal", "Service.Weights")),
        (fields.HEALTH_CHECK, "LastCheckStartTime == x", bad_op("Equal", "LastCheckStartTime")),
        (fields.AGENT_MEMBER, 'Addr == "10.0.0.1"', bad_op("Equal", "Addr")),
        # Literals that are not of the field's type.
        (fields.NODE_SERVICE, "Port == abc", bad_value("abc", "Port", "ParseInt")),
        (
            fields.CHECK_SERVICE_NODE,
            "Service.Weights.Passing == x",
            bad_value("x", "Service.Weights.Passing", "ParseInt"),
        ),
        (
            fields.SERVICE_NODE,
            "ServiceEnableTagOverride == yes",
            bad_value("yes", "ServiceEnableTagOverride", "ParseBool"),
        ),
        (fields.AGENT_MEMBER, "ProtocolCur == -1", bad_value("-1", "ProtocolCur", "ParseUint")),
    ],
)
def test_what_consul_rejects(schema: Schema, expr: str, message: str) -> None:
    with pytest.raises(FilterError) as err:
        compile_filter(expr, schema)
    assert err.value.message == message


# ---- the schemas against what the handlers emit --------------------------------------------------

NODE = Node(
    "n1",
    "10.0.0.1",
    id="40e4a748-2192-161a-0510-9bf59fe950b5",
    datacenter="dc1",
    tagged_addresses={"lan": "10.0.0.1"},
    meta={"os": "linux"},
)
SERVICE = Service(
    "n1",
    "web-sidecar-proxy",
    "web-sidecar-proxy",
    tags=("v1",),
    address="10.0.0.1",
    port=21000,
    meta={"version": "1"},
    tagged_addresses={"lan": {"Address": "10.0.0.1", "Port": 21000}},
    kind="connect-proxy",
    proxy={"DestinationServiceName": "web", "Upstreams": [{"DestinationName": "db"}]},
    connect={"Native": True},
    socket_path="/run/web.sock",
)
CHECK = Check(
    "n1",
    "service:web",
    name="web alive",
    service_id="web",
    service_name="web",
    service_tags=("v1",),
    type="ttl",
    definition={"TTL": "10s"},
)
CONFIG = SimpleNamespace(
    node_name="n1",
    advertise_addr="10.0.0.1",
    datacenter="dc1",
    node_id="40e4a748-2192-161a-0510-9bf59fe950b5",
    server_port=8300,
    server=True,
    bootstrap=True,
)
NOT_SELECTABLE = {"CreateIndex", "ModifyIndex", "Definition", "ServiceLocality"}


@pytest.mark.parametrize(
    ("schema", "emitted", "hidden"),
    [
        (fields.NODE, node_json(NODE), set()),
        (fields.SERVICE_NODE, catalog_service_json(NODE, SERVICE), set()),
        (fields.NODE_SERVICE, node_service_json(SERVICE), set()),
        (fields.HEALTH_CHECK, check_json(CHECK), set()),
        (fields.AGENT_SERVICE, agent_service_json(SERVICE, "dc1"), {"Datacenter"}),
        (fields.AGENT_MEMBER, member(SimpleNamespace(config=CONFIG)), set()),  # type: ignore[arg-type]
    ],
)
def test_every_field_the_handlers_emit_is_selectable_unless_consul_hides_it(
    schema: Schema, emitted: dict[str, Any], hidden: set[str]
) -> None:
    missing = set(emitted) - set(schema) - NOT_SELECTABLE - hidden
    assert not missing
    for name, value in emitted.items():
        if schema.get(name) in ("string", "int", "uint", "bool"):
            expr = f'{name} == "{value}"' if isinstance(value, str) else f"{name} == {value}"
            assert compile_filter(expr, schema).matches(emitted), expr


def _walk(field: object) -> None:
    kind, elem = _split(field)  # type: ignore[arg-type]
    if isinstance(field, dict):
        for sub in field.values():
            _walk(sub)
    elif elem is not None:
        _walk(elem)
    assert kind


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_schemas_are_well_formed(name: str) -> None:
    _walk(DOCUMENTED[name][0])


# ---- evaluation as the Go value ----------------------------------------------------------------


def test_an_omitted_struct_field_has_its_zero_value() -> None:
    plain = node_service_json(Service("n1", "web", "web"))
    proxy = node_service_json(SERVICE)
    assert "Kind" not in plain and "TaggedAddresses" not in plain and "SocketPath" not in plain
    f = compile_filter('Kind == ""', fields.NODE_SERVICE)
    assert f.apply([plain, proxy]) == [plain]
    f = compile_filter('Kind != ""', fields.NODE_SERVICE)
    assert f.apply([plain, proxy]) == [proxy]
    assert compile_filter('SocketPath == ""', fields.NODE_SERVICE).matches(plain)
    assert compile_filter("TaggedAddresses is empty", fields.NODE_SERVICE).matches(plain)
    assert compile_filter('Proxy.DestinationServiceName == ""', fields.NODE_SERVICE).matches(plain)
    assert compile_filter("Proxy.Upstreams is empty", fields.NODE_SERVICE).matches(plain)
    f = compile_filter("Proxy.Upstreams.DestinationName == db", fields.NODE_SERVICE)
    assert f.apply([plain, proxy]) == [proxy]
    assert compile_filter('Node.PeerName == ""', fields.CHECK_SERVICE_NODE).matches(
        {"Node": node_json(NODE), "Service": plain, "Checks": []}
    )


def test_without_a_schema_a_missing_field_is_a_missing_key() -> None:
    plain = node_service_json(Service("n1", "web", "web"))
    assert not compile_filter('Kind == ""').matches(plain)


def test_a_missing_map_key_stays_missing() -> None:
    svc = node_service_json(Service("n1", "web", "web", meta={"a": "1"}))
    assert not compile_filter('Meta.b == ""', fields.NODE_SERVICE).matches(svc)
    assert compile_filter('Meta.b != ""', fields.NODE_SERVICE).matches(svc)
    assert not compile_filter("TaggedAddresses.lan.Port == 0", fields.NODE_SERVICE).matches(svc)


def test_struct_fields_are_found_in_any_spelling() -> None:
    raw = Service(
        "n1",
        "web",
        "web",
        tagged_addresses={"lan": {"address": "10.0.0.9", "port": 80}},
        proxy={"destination_service_name": "api", "upstreams": [{"destinationName": "db"}]},
    )
    svc = node_service_json(raw)
    for expr in [
        'TaggedAddresses.lan.Address == "10.0.0.9"',
        "TaggedAddresses.lan.Port == 80",
        "Proxy.DestinationServiceName == api",
        "Proxy.Upstreams.DestinationName == db",
    ]:
        assert compile_filter(expr, fields.NODE_SERVICE).matches(svc), expr
    # Map keys are exact.
    assert not compile_filter(
        'TaggedAddresses.LAN.Address == "10.0.0.9"', fields.NODE_SERVICE
    ).matches(svc)


def test_lists_of_structs_and_the_records_returned() -> None:
    entry: dict[str, Any] = {
        "Node": node_json(NODE),
        "Service": node_service_json(SERVICE),
        "Checks": [check_json(CHECK), check_json(Check("n1", "serfHealth", status="passing"))],
    }
    f = compile_filter(
        "Checks.Status == passing and Checks.Status == critical", fields.CHECK_SERVICE_NODE
    )
    kept = f.apply([entry])
    assert kept == [entry] and kept[0] is entry
    assert "Kind" not in entry["Checks"][0]  # the records are not changed by the evaluation
    assert compile_filter("Checks.ExposedPort == 0", fields.CHECK_SERVICE_NODE).matches(entry)
    assert compile_filter('Checks.PeerName == ""', fields.CHECK_SERVICE_NODE).matches(entry)
    assert not compile_filter("Checks.Status == warning", fields.CHECK_SERVICE_NODE).matches(entry)
    empty = {**entry, "Checks": []}
    assert not compile_filter("Checks.Status != passing", fields.CHECK_SERVICE_NODE).matches(empty)
    assert compile_filter("Checks is empty", fields.CHECK_SERVICE_NODE).matches(empty)


def test_values_are_read_as_the_field_type() -> None:
    svc = node_service_json(SERVICE)
    for expr in [
        "Port == 21000",
        'Port == "21000"',
        'Port == "0x5208"',
        "Weights.Passing == 1",
        "Connect.Native == true",
        "Connect.Native == T",
        "EnableTagOverride == false",
        'Meta.version == "1"',
        "Meta.version == 1",
        "Tags contains v1",
        '"v1" in Tags',
    ]:
        assert compile_filter(expr, fields.NODE_SERVICE).matches(svc), expr
    assert not compile_filter("Port == 21001", fields.NODE_SERVICE).matches(svc)
    members = [member(SimpleNamespace(config=CONFIG))]  # type: ignore[arg-type]
    assert compile_filter("Status == 1 and Tags.role == consul", fields.AGENT_MEMBER).apply(members)
