"""What ``/v1/agent/*`` does to this agent's services and checks (and what config files load).

Every change goes into local state (the truth for this agent) and starts or stops the checks'
runners; anti-entropy carries it to the catalog.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from agentd.checks.definition import CheckDefinition
from agentd.errors import AgentError, BadRequest, NotFound
from agentd.local import register
from agentd.local.checks import CheckManager
from agentd.local.register import Registration
from agentd.local.state import LocalState
from agentd.structs.catalog import (
    CHECK_STATUSES,
    NODE_MAINT_CHECK_ID,
    SERVICE_MAINT_PREFIX,
    Check,
    Health,
)

log = logging.getLogger(__name__)

NODE_MAINT_NOTES = (
    "Maintenance mode is enabled for this node, but no reason was provided. "
    "This is a default message."
)
SERVICE_MAINT_NOTES = (
    "Maintenance mode is enabled for this service, but no reason was provided. "
    "This is a default message."
)


class LocalAgent:
    def __init__(self, local: LocalState, checks: CheckManager) -> None:
        self.local = local
        self.checks = checks
        self.config_services: set[str] = set()  # registered from config files (reload replaces)
        self.config_checks: set[str] = set()

    @property
    def node(self) -> str:
        return self.local.node

    def used_sidecar_ports(self, except_id: str = "") -> set[int]:
        return {
            ls.service.port
            for sid, ls in self.local.services.items()
            if ls.service.kind == "connect-proxy" and sid != except_id
        }

    def decode_service(self, body: Any) -> Registration:
        sid = ""
        if isinstance(body, dict):
            lowered = {k.lower(): v for k, v in body.items()}
            sid = str(lowered.get("id") or lowered.get("name") or "")
        return register.decode(body, self.node, self.used_sidecar_ports(f"{sid}-sidecar-proxy"))

    # ---- services -----------------------------------------------------------------------------

    def add_service(
        self, reg: Registration, *, replace_existing_checks: bool = False, token: str = ""
    ) -> None:
        svc = reg.service
        if replace_existing_checks:
            keep = {d.check_id for d in reg.checks}
            for chk in self.local.service_checks(svc.id):
                if chk.check_id not in keep and not chk.check_id.startswith(SERVICE_MAINT_PREFIX):
                    self.remove_check(chk.check_id)
        self.local.add_service(svc, token)
        for defn in reg.checks:
            self.add_check(defn, token=token)
        if reg.sidecar is not None:
            self.add_service(
                reg.sidecar, replace_existing_checks=replace_existing_checks, token=token
            )

    def remove_service(self, service_id: str) -> None:
        if service_id not in self.local.services:
            raise NotFound(
                f'Unknown service ID "{service_id}". Ensure that the service ID is passed, '
                "not the service name."
            )
        for check_id in self.local.remove_service(service_id):
            self.checks.stop(check_id)
        sidecar = f"{service_id}-sidecar-proxy"
        if sidecar in self.local.services:
            self.remove_service(sidecar)

    # ---- checks -------------------------------------------------------------------------------

    def add_check(self, defn: CheckDefinition, *, token: str = "") -> None:
        if defn.service_id and defn.service_id not in self.local.services:
            raise NotFound(f'ServiceID "{defn.service_id}" does not exist')
        if defn.type in ("script", "docker") and not self.checks.scripts_allowed:
            raise BadRequest(
                "Scripts are disabled on this agent; to enable, configure "
                "'enable_script_checks' or 'enable_local_script_checks' to true"
            )
        self.checks.stop(defn.check_id)
        self.local.add_check(register.check_record(defn, self.node), defn, token)
        self.checks.start(defn)

    def remove_check(self, check_id: str) -> None:
        self.checks.stop(check_id)
        self.local.remove_check(check_id)

    def ttl_update(self, check_id: str, status: str, output: str) -> None:
        if status not in CHECK_STATUSES:
            raise BadRequest(f"Invalid check status: '{status}'")
        if not self.checks.ttl_update(check_id, status, output):
            raise AgentError(f'CheckID "{check_id}" does not have associated TTL')

    # ---- maintenance --------------------------------------------------------------------------

    def node_maintenance(self, enable: bool, reason: str) -> None:
        if not enable:
            self.local.remove_check(NODE_MAINT_CHECK_ID)
            return
        if NODE_MAINT_CHECK_ID in self.local.checks:
            return
        self.local.add_check(
            Check(
                node=self.node,
                check_id=NODE_MAINT_CHECK_ID,
                name="Node Maintenance Mode",
                status=Health.CRITICAL,
                notes=reason or NODE_MAINT_NOTES,
            )
        )

    def service_maintenance(self, service_id: str, enable: bool, reason: str) -> None:
        ls = self.local.services.get(service_id)
        if ls is None:
            raise NotFound(f'No service registered with ID "{service_id}"')
        check_id = SERVICE_MAINT_PREFIX + service_id
        if not enable:
            self.local.remove_check(check_id)
            return
        if check_id in self.local.checks:
            return
        self.local.add_check(
            Check(
                node=self.node,
                check_id=check_id,
                name="Service Maintenance Mode",
                status=Health.CRITICAL,
                notes=reason or SERVICE_MAINT_NOTES,
                service_id=service_id,
                service_name=ls.service.service,
            )
        )

    # ---- config files -------------------------------------------------------------------------

    def load_definitions(
        self, services: tuple[dict[str, Any], ...], checks: tuple[dict[str, Any], ...]
    ) -> None:
        """Services and checks from config files: register them, and drop those a reload
        no longer lists."""
        from agentd.checks import definition as checkdef

        seen_services: set[str] = set()
        seen_checks: set[str] = set()
        for body in services:
            try:
                reg = self.decode_service(body)
                self.add_service(reg)
            except AgentError as exc:
                log.error("agent: service definition %r: %s", body.get("name", body), exc.message)
                continue
            seen_services.add(reg.service.id)
            if reg.sidecar is not None:
                seen_services.add(reg.sidecar.service.id)
        for body in checks:
            try:
                defn = checkdef.from_json(body)
                if not defn.check_id:
                    defn = dataclasses.replace(defn, check_id=defn.name)
                defn.validate()
                self.add_check(defn)
            except AgentError as exc:
                log.error("agent: check definition %r: %s", body.get("name", body), exc.message)
                continue
            seen_checks.add(defn.check_id)
        for sid in self.config_services - seen_services:
            if sid in self.local.services:
                self.remove_service(sid)
        for cid in self.config_checks - seen_checks:
            self.remove_check(cid)
        self.config_services, self.config_checks = seen_services, seen_checks
