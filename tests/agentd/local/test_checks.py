from __future__ import annotations

from agentd.checks.definition import from_json
from agentd.local.checks import CheckManager
from agentd.local.register import check_record
from agentd.local.state import LocalState
from agentd.structs.catalog import Service


def test_a_service_critical_too_long_is_deregistered() -> None:
    now = [0.0]
    local = LocalState("n1")
    local.add_service(Service(node="n1", id="web", service="web"))
    defn = from_json(
        {"CheckID": "c", "Name": "c", "TTL": "10s", "DeregisterCriticalServiceAfter": "1m"},
        service_id="web",
    )
    local.add_check(check_record(defn, "n1"), defn)
    manager = CheckManager(local, clock=lambda: now[0])
    gone: list[str] = []
    manager.deregister_service = gone.append
    manager.on_update("c", "critical", "TTL expired")
    now[0] = 59
    manager.reap()
    assert gone == []
    manager.on_update("c", "passing", "")  # recovering resets the clock
    now[0] = 100
    manager.on_update("c", "critical", "again")
    now[0] = 159
    manager.reap()
    assert gone == []
    now[0] = 160
    manager.reap()
    assert gone == ["web"]
