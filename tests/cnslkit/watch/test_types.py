"""Dependency parsers and their identities (the de-duplication keys)."""

# ruff: noqa: E501
from __future__ import annotations

import pytest

from cnslkit.watch import TYPES, DependencyParseError, parse
from cnslkit.watch.kv_tree import ls, tree
from cnslkit.watch.records import Check, HealthService, KeyPair, aggregate_status


@pytest.mark.parametrize(
    ("kind", "text", "key"),
    [
        ("kv.get", "a/b", "kv.get(a/b)"),
        ("kv.get", "/a/b@dc2", "kv.get(a/b@dc2)"),
        ("kv.list", "app/", "kv.list(app/)"),
        ("kv.list", "", "kv.list()"),
        ("kv.keys", "app@east", "kv.keys(app@east)"),
        ("health.service", "web", "health.service(web)"),
        ("health.service", "web|passing", "health.service(web)"),
        ("health.service", "v1.2.web@dc1~n1|warning,critical", "health.service(v1.2.web@dc1~n1|critical,warning)"),
        ("health.service", "web|any,passing", "health.service(web|any)"),
        ("catalog.services", "", "catalog.services()"),
        ("catalog.services", "@dc2", "catalog.services(@dc2)"),
        ("catalog.node", "", "catalog.node()"),
        ("catalog.node", "n1@dc2", "catalog.node(n1@dc2)"),
        ("catalog.nodes", "@dc2~n1", "catalog.nodes(@dc2~n1)"),
        ("catalog.datacenters", "", "catalog.datacenters()"),
        ("file", "/etc/hosts", "file(/etc/hosts)"),
    ],
)  # fmt: skip
def test_parse_and_key(kind: str, text: str, key: str) -> None:
    dep = parse(kind, text)
    assert dep.key == key and dep.kind == kind
    assert dep == parse(kind, text) and hash(dep) == hash(parse(kind, text))


def test_service_fields() -> None:
    dep = parse("health.service", "a.b.web@dc1~near|any")
    assert (dep.tag, dep.name, dep.dc, dep.near, dep.filters) == (
        "a.b",
        "web",
        "dc1",
        "near",
        ("any",),
    )  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("health.service", "web|bogus"),
        ("health.service", "we b"),
        ("catalog.nodes", "dc1"),
        ("catalog.datacenters", "x"),
        ("file", ""),
        ("nope", "x"),
    ],
)
def test_parse_errors(kind: str, text: str) -> None:
    with pytest.raises(DependencyParseError):
        parse(kind, text)


def test_the_table_has_every_type_once() -> None:
    assert sorted(TYPES) == sorted(
        {"kv.get", "kv.keys", "kv.list", "health.service", "catalog.services", "catalog.node",
         "catalog.nodes", "catalog.datacenters", "file"}
    )  # fmt: skip


def test_ls_and_tree_filters() -> None:
    pairs = [KeyPair(f"p/{k}", k) for k in ("a", "b/", "b/c", "d/e/f", "")]
    assert [p.Key for p in ls(pairs)] == ["a"]
    assert [p.Key for p in tree(pairs)] == ["a", "b/c", "d/e/f"]


def test_health_record_from_json_and_status() -> None:
    item = {
        "Node": {"Node": "n1", "Address": "10.0.0.1", "Datacenter": "dc1", "Meta": {"r": "x"}},
        "Service": {"ID": "w1", "Service": "web", "Tags": ["a"], "Port": 80, "Meta": {"v": "1"}},
        "Checks": [{"Node": "n1", "CheckID": "c", "Status": "warning"}],
    }
    svc = HealthService.from_json(item)
    assert (svc.Address, svc.Port, svc.Tags, svc.Status) == ("10.0.0.1", 80, ("a",), "warning")
    assert svc.ServiceMeta == {"v": "1"} and svc.node_meta == {"r": "x"}  # snake_case alias
    maint = Check("n1", "_node_maintenance", Status="critical")
    assert aggregate_status((Check("n", "c", Status="passing"), maint)) == "maintenance"
    with pytest.raises(AttributeError):
        _ = svc.nope
