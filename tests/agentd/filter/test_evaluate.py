from __future__ import annotations

from typing import Any

import pytest

from agentd.filter.evaluate import evaluate
from agentd.filter.parser import parse

# A /v1/catalog/service element (CatalogService), trimmed.
CATALOG: dict[str, Any] = {
    "ID": "0e4a0ab4",
    "Node": "a",
    "Address": "10.0.0.1",
    "Datacenter": "dc1",
    "TaggedAddresses": {"lan": "10.0.0.1", "wan": "198.18.0.1"},
    "NodeMeta": {"os": "linux"},
    "ServiceID": "web-1",
    "ServiceName": "web-frontend",
    "ServiceTags": ["v1", "primary"],
    "ServiceAddress": "",
    "ServiceMeta": {"version": "1.0", "empty": ""},
    "ServicePort": 8080,
    "ServiceWeights": {"Passing": 1, "Warning": 1},
    "ServiceEnableTagOverride": False,
    "ServiceProxy": None,
    "Ratio": 0.5,
}

# A /v1/health/service element (CheckServiceNode): Checks is a list of structs.
ENTRY: dict[str, Any] = {
    "Node": {"Node": "a", "Address": "10.0.0.1", "Meta": {"os": "linux"}},
    "Service": {
        "ID": "web-1",
        "Service": "web",
        "Tags": ["v1", "primary"],
        "Port": 8080,
        "Meta": {},
        "Proxy": None,
    },
    "Checks": [
        {"CheckID": "serfHealth", "Status": "passing", "ServiceTags": []},
        {"CheckID": "service:web-1", "Status": "critical", "ServiceTags": ["v1"]},
    ],
}

HEALTHY = {**ENTRY, "Checks": [{"CheckID": "serfHealth", "Status": "passing"}]}
NO_CHECKS = {**ENTRY, "Checks": []}


def check(expr: str, record: dict[str, Any], expected: bool) -> None:
    assert evaluate(parse(expr), record) is expected, expr


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # Consul's documented examples
        ('ServiceTags contains "v1"', True),
        ('ServiceMeta.version == "1.0"', True),
        ('ServiceMeta["version"] == "1.0"', True),
        ("ServiceMeta.version == `1.0`", True),
        ("ServiceMeta.version == 1.0", True),  # the number's raw text is compared to a string
        ('"primary" in ServiceTags', True),
        ('ServiceName matches "^web-"', True),
        ('ServiceName matches "^api-"', False),
        ('not (Node == "a" or Node == "b")', False),
        ('not (Node == "x" or Node == "y")', True),
        # == and !=
        ("Node == a", True),
        ("Node != a", False),
        ("Node == A", False),  # case-sensitive
        ("Node != b", True),
        # in / contains on strings: substring
        ('"web" in ServiceName', True),
        ('ServiceName contains "front"', True),
        ('ServiceName not contains "back"', True),
        ('"back" not in ServiceName', True),
        # in / contains on lists: element
        ('"v2" in ServiceTags', False),
        ('"v2" not in ServiceTags', True),
        ("ServiceTags not contains v1", False),
        ("prim in ServiceTags", False),  # elements are compared whole
        # in / contains on maps: key presence
        ("os in NodeMeta", True),
        ("linux in NodeMeta", False),
        ('NodeMeta contains "os"', True),
        ('"arch" not in NodeMeta', True),
        ("TaggedAddresses contains wan", True),
        # is empty / is not empty
        ("ServiceAddress is empty", True),
        ("ServiceTags is not empty", True),
        ("ServiceMeta is empty", False),
        ("ServiceMeta.empty is empty", True),
        ("ServiceProxy is empty", True),  # null is empty
        # matches / not matches
        ('ServiceName not matches "^web-"', False),
        ('Address matches "^10\\\\.0\\\\."', True),
        ("Address matches `^10\\.0\\.`", True),
        ('ServiceMeta.version matches "^1\\\\."', True),
        # precedence and grouping
        ("Node == b or Node == a and ServicePort == 8080", True),
        ("(Node == b or Node == a) and ServicePort == 1", False),
        ("Node == b or not ServicePort == 1", True),
        ("not not Node == a", True),
    ],
)
def test_catalog_service(expr: str, expected: bool) -> None:
    check(expr, CATALOG, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # numbers: the literal is read as a number when the record holds one
        ("ServicePort == 8080", True),
        ('ServicePort == "8080"', True),
        ("ServicePort == 8080.0", True),
        ('ServicePort == "0x1F90"', True),  # Go's ParseInt(s, 0, 64) takes prefixes
        ("ServicePort != 80", True),
        ("ServiceWeights.Passing == 1", True),
        ("Ratio == 0.5", True),
        ("Ratio == 0.50", True),
        # bools: Go's ParseBool spellings
        ("ServiceEnableTagOverride == false", True),
        ("ServiceEnableTagOverride == False", True),
        ('ServiceEnableTagOverride == "0"', True),
        ("ServiceEnableTagOverride == f", True),
        ("ServiceEnableTagOverride != true", True),
        ("ServiceEnableTagOverride == 1", False),
        # a literal that cannot be read as the field's type: no match either way
        ("ServicePort == abc", False),
        ("ServicePort != abc", False),
        ("ServiceEnableTagOverride == maybe", False),
        ("ServiceEnableTagOverride != maybe", False),
        # operators that do not fit the value's type: no match either way
        ("ServicePort contains 80", False),
        ("ServicePort not contains 80", False),
        ("ServicePort is empty", False),
        ("ServicePort is not empty", False),
        ('ServicePort matches "8"', False),
        ('ServicePort not matches "8"', False),
        ("ServiceTags == v1", False),
        ("ServiceTags != v1", False),
        ("NodeMeta == os", False),
        ("ServiceName.Foo == x", False),  # a string has no fields
        ("ServiceName.Foo != x", False),
    ],
)
def test_coercion_and_type_mismatches(expr: str, expected: bool) -> None:
    check(expr, CATALOG, expected)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # a missing map key (or a missing field, or null) behaves like go-bexpr's missing map key
        ("ServiceMeta.missing == x", False),
        ("ServiceMeta.missing != x", True),
        ("ServiceMeta.missing is empty", True),
        ("ServiceMeta.missing is not empty", False),
        ("x in ServiceMeta.missing", False),
        ("x not in ServiceMeta.missing", True),
        ('ServiceMeta.missing matches "."', False),
        ('ServiceMeta.missing not matches "."', True),
        ("NoSuchField == x", False),
        ("NoSuchField != x", True),
        ("ServiceProxy.DestinationServiceName == x", False),  # through a null struct
        ("ServiceProxy.DestinationServiceName != x", True),
        ("x in ServiceProxy", False),
    ],
)
def test_missing_and_null(expr: str, expected: bool) -> None:
    check(expr, CATALOG, expected)


@pytest.mark.parametrize(
    ("expr", "entry", "healthy", "no_checks"),
    [
        # any element, for every operator - negated ones included (go-bexpr v0.1.2's loop)
        ("Checks.Status == passing", True, True, False),
        ("Checks.Status == critical", True, False, False),
        ("Checks.Status != passing", True, False, False),
        ("not Checks.Status == passing", False, False, True),
        ("not Checks.Status != passing", False, True, True),  # i.e. every check is passing
        ('Checks.CheckID contains "web"', True, False, False),
        ('Checks.CheckID not contains "serf"', True, False, False),
        ('Checks.CheckID matches "^serf"', True, True, False),
        ("v1 in Checks.ServiceTags", True, False, False),
        ("Checks.ServiceTags is empty", True, True, False),  # a missing field counts as empty
        ("Checks is empty", False, False, True),
        ("Checks is not empty", True, True, False),
        # nested structs
        ("Node.Meta.os == linux and Service.Port == 8080", True, True, True),
        ('Service.Tags contains "v1"', True, True, True),
        ("Service.Meta is empty", True, True, True),
        ("Service.Proxy is empty", True, True, True),
    ],
)
def test_lists_of_structs_match_any_element(
    expr: str, entry: bool, healthy: bool, no_checks: bool
) -> None:
    check(expr, ENTRY, entry)
    check(expr, HEALTHY, healthy)
    check(expr, NO_CHECKS, no_checks)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 in Ports", True),
        ('"2" in Ports', True),
        ("3 in Ports", False),
        ("true in Flags", True),
        ("x in Mixed", True),
        ("7 in Mixed", True),
        ("8 in Mixed", False),
        ("Nested.Deep.Value == 1", True),  # lists inside lists are flattened
        ("Nested.Deep.Value != 1", True),
        ("Nested.Deep.Value == 3", False),
    ],
)
def test_lists_of_primitives_compare_each_element_by_its_type(expr: str, expected: bool) -> None:
    record = {
        "Ports": [1, 2],
        "Flags": [False, True],
        "Mixed": [None, {"a": 1}, [1], "x", 7],
        "Nested": [[{"Deep": {"Value": 1}}], [{"Deep": {"Value": 2}}]],
    }
    check(expr, record, expected)
