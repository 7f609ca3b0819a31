from __future__ import annotations

import pytest

from agentd.filter import FilterError, Schema, compile_filter

NODE: Schema = {
    "Node": "string",
    "Address": "string",
    "TaggedAddresses": "map[string]string",
    "Meta": "map[string]string",
}
SERVICE: Schema = {
    "ID": "string",
    "Service": "string",
    "Tags": "list[string]",
    "Meta": "map[string]string",
    "Port": "int",
    "Weights": {"Passing": "int", "Warning": "int"},
    "EnableTagOverride": "bool",
    "TaggedAddresses": ("map", {"Address": "string", "Port": "int"}),
    "Ports": "list[uint]",
    "Ratio": "float",
}
CHECK: Schema = {"CheckID": "string", "Status": "string", "ServiceTags": "list[string]"}
ENTRY: Schema = {"Node": NODE, "Service": SERVICE, "Checks": ("list", CHECK)}


@pytest.mark.parametrize(
    "expr",
    [
        "Node.Node == a",
        "Node.Meta.os == linux and Service.Port == 8080",
        'Node.Meta["any key"] != x',
        "os in Node.Meta",
        "Node.Meta is empty",
        'Service.Tags contains "v1"',
        "Service.Tags is not empty",
        "Service.Weights.Passing == 3",
        'Service.Port == "0x50"',
        "Service.EnableTagOverride == true",
        "Service.EnableTagOverride != F",
        "Service.TaggedAddresses.lan.Address == x",
        "Service.TaggedAddresses.wan.Port == 443",
        "lan in Service.TaggedAddresses",
        "Service.Ratio == 1.5",
        "8080 in Service.Ports",
        "Checks.Status == passing",
        "Checks is empty",
        "v1 in Checks.ServiceTags",
        'Checks.CheckID matches "^serf"',
        '"web" in Service.Service',
        "not (Node.Node == a or Node.Node == b)",
    ],
)
def test_valid(expr: str) -> None:
    compile_filter(expr, fields=ENTRY)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("Foo == 1", 'Selector "Foo" is not valid'),
        ("Node.Foo == 1", 'Selector "Node.Foo" is not valid'),
        ("Node.Node.X == 1", 'Selector "Node.Node.X" is not valid'),
        ("Node.Meta.os.x == 1", 'Selector "Node.Meta.os.x" is not valid'),
        ("Service.Tags.x == 1", 'Selector "Service.Tags.x" is not valid'),
        ("Checks.Nope == 1", 'Selector "Checks.Nope" is not valid'),
        ("node.node == a", 'Selector "node" is not valid'),  # names are case-sensitive
        ("Node.Node == a or (Foo is empty)", 'Selector "Foo" is not valid'),
        ("Node.Node == a and not Bar is empty", 'Selector "Bar" is not valid'),
        ("Node is empty", 'Invalid match operator "Is Empty" for selector "Node"'),
        ("Node.Node is empty", 'Invalid match operator "Is Empty" for selector "Node.Node"'),
        ("Service.Tags == v1", 'Invalid match operator "Equal" for selector "Service.Tags"'),
        ("Service.Meta == x", 'Invalid match operator "Equal" for selector "Service.Meta"'),
        ("Service.Port contains 1", 'Invalid match operator "In" for selector "Service.Port"'),
        (
            'Service.Port matches "1"',
            'Invalid match operator "Matches" for selector "Service.Port"',
        ),
        (
            "Checks.Status is not empty",
            'Invalid match operator "Is Not Empty" for selector "Checks.Status"',
        ),
        ("x in Checks", 'Invalid match operator "In" for selector "Checks"'),
        (
            "Service.Port == abc",
            'Failed to coerce value "abc" for selector "Service.Port": '
            'strconv.ParseInt: parsing "abc": invalid syntax',
        ),
        (
            "Service.Port == 1.5",
            'Failed to coerce value "1.5" for selector "Service.Port": '
            'strconv.ParseInt: parsing "1.5": invalid syntax',
        ),
        (
            "Service.EnableTagOverride == yes",
            'Failed to coerce value "yes" for selector "Service.EnableTagOverride": '
            'strconv.ParseBool: parsing "yes": invalid syntax',
        ),
        (
            "-1 in Service.Ports",
            'Failed to coerce value "-1" for selector "Service.Ports": '
            'strconv.ParseUint: parsing "-1": invalid syntax',
        ),
        (
            "Service.Ratio == x",
            'Failed to coerce value "x" for selector "Service.Ratio": '
            'strconv.ParseFloat: parsing "x": invalid syntax',
        ),
    ],
)  # fmt: skip
def test_invalid(expr: str, message: str) -> None:
    with pytest.raises(FilterError) as err:
        compile_filter(expr, fields=ENTRY)
    assert err.value.message == message


def test_syntax_errors_come_first() -> None:
    with pytest.raises(FilterError, match=r"^1:5 \(4\): no match found"):
        compile_filter("Foo > 1", fields=ENTRY)


def test_a_map_of_records_as_the_top_level() -> None:
    # /v1/agent/services filters the values of a map; the schema is the value's type.
    f = compile_filter('Service == "web"', fields={"Service": "string", "Port": "int"})
    svcs = {"a": {"Service": "web", "Port": 1}, "b": {"Service": "db", "Port": 2}}
    assert f.apply_map(svcs) == {"a": {"Service": "web", "Port": 1}}


@pytest.mark.parametrize("bad", ["strng", "list(string)", ("set", "string"), "map[int]string"])
def test_a_malformed_schema_is_a_programming_error(bad: object) -> None:
    with pytest.raises(ValueError, match="bad schema type"):
        compile_filter("X == 1", fields={"X": bad})  # type: ignore[dict-item]
