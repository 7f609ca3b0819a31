"""Alias aggregation (Consul's processChecks) and the AliasCheck wrapper."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agentd.checks.alias import AliasCheck, aggregate


@dataclass(frozen=True)
class Chk:
    check_id: str
    status: str
    service_id: str = ""
    node: str = "n1"
    name: str = ""
    output: str = ""


P, W, C = "passing", "warning", "critical"


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        ([], (P, "No checks found.")),
        ([Chk("a", P, "web")], (P, "All checks passing.")),
        ([Chk("a", P, "web"), Chk("serfHealth", P)], (P, "All checks passing.")),
        (
            [Chk("a", P, "web"), Chk("b", W, "web", name="disk", output="90%")],
            (W, 'Aliased check "disk" failing: 90%'),
        ),
        # A later passing check does not hide an earlier warning.
        (
            [Chk("b", W, "web", name="disk", output="90%"), Chk("a", P, "web")],
            (W, 'Aliased check "disk" failing: 90%'),
        ),
        # Critical outranks warning whatever the order.
        (
            [Chk("b", W, "web", name="w"), Chk("c", C, "web", name="down", output="x")],
            (C, 'Aliased check "down" failing: x'),
        ),
        # Node-level checks count for the service's alias.
        (
            [Chk("a", P, "web"), Chk("serfHealth", C, name="Serf Health Status", output="dead")],
            (C, 'Aliased check "Serf Health Status" failing: dead'),
        ),
        # Service maintenance is a critical check of the service.
        (
            [Chk("a", P, "web"), Chk("_service_maintenance:web", C, "web", name="Maint")],
            (C, 'Aliased check "Maint" failing: '),
        ),
        # Other services' checks are ignored.
        ([Chk("a", P, "web"), Chk("z", C, "db")], (P, "All checks passing.")),
    ],
)
def test_aggregate(checks: list[Chk], expected: tuple[str, str]) -> None:
    assert aggregate(checks, service_id="web") == expected


def test_missing_service_is_critical() -> None:
    checks = [Chk("serfHealth", P)]
    assert aggregate(checks, service_id="web", service_exists=lambda: False) == (
        C,
        "Service web could not be found on node ",
    )
    # A service with no checks of its own that does exist mirrors its node's checks.
    assert aggregate(checks, service_id="web", service_exists=lambda: True) == (
        P,
        "All checks passing.",
    )


def test_existence_is_asked_only_when_no_service_check_was_seen() -> None:
    def explode() -> bool:
        raise AssertionError("should not be asked")

    assert aggregate([Chk("a", P, "web")], service_id="web", service_exists=explode)[0] == P


def test_alias_node_filters_by_node_case_insensitively() -> None:
    checks = [Chk("a", C, "web", node="other"), Chk("b", P, "web", node="N2")]
    assert aggregate(checks, node="n2", service_id="web") == (P, "All checks passing.")


def test_alias_check_reports_only_changes_and_skips_itself() -> None:
    updates: list[tuple[str, str, str]] = []
    alias = AliasCheck("web-alias", lambda *u: updates.append(u), alias_service="db")
    own = Chk("web-alias", C)  # a node-level alias check sees itself among the node's checks
    alias.notify([own, Chk("d", P, "db")])
    alias.notify([own, Chk("d", P, "db")])
    alias.notify([own, Chk("d", C, "db", name="pg", output="refused")])
    assert updates == [
        ("web-alias", P, "All checks passing."),
        ("web-alias", C, 'Aliased check "pg" failing: refused'),
    ]
    assert alias.reported == (C, 'Aliased check "pg" failing: refused')
