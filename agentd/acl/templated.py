"""Builtin templated policies (1.17+): fixed rules templates with an optional ``Name`` variable.

A token or role lists ``TemplatedPolicies`` (``{TemplateName, TemplateVariables: {Name},
Datacenters}``); each renders into a synthetic policy like a service or node identity does. The
templates, schemas and descriptions are Consul CE's (agent/structs/acl_templated_policy.go and
acltemplatedpolicy/policies/ce/*.hcl) verbatim, ``{{.Name}}`` placeholder included, because the
``/v1/acl/templated-policy`` endpoints hand them out as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agentd.acl.identities import (
    IdentityError,
    SyntheticPolicy,
    is_valid_node_identity_name,
    is_valid_service_identity_name,
    make_synthetic_policy,
)

__all__ = [
    "TEMPLATED_POLICIES",
    "TemplatedPolicyTemplate",
    "check_templated_policy",
    "templated_policy",
    "templated_policy_rules",
]

# The schema of the templates taking a name (the service and node one as Consul serves it).
_NAME_SCHEMA = """{
\t"type": "object",
\t"properties": {
\t\t"name": { "type": "string", "$ref": "#/definitions/min-length-one" }
\t},
\t"required": ["name"],
\t"definitions": {
\t\t"min-length-one": {
\t\t\t\t"type": "string",
\t\t\t\t"minLength": 1
\t\t}
\t}
}"""

_NAME_SCHEMA_FILE = """{
  "type": "object",
  "properties": {
    "name": { "type": "string", "$ref": "#/definitions/min-length-one" }
  },
  "required": ["name"],
  "definitions": {
    "min-length-one": {
      "type": "string",
      "minLength": 1
    }
  }
}"""

_SERVICE = """
service "{{.Name}}" {
\tpolicy = "write"
}
service "{{.Name}}-sidecar-proxy" {
\tpolicy = "write"
}
service_prefix "" {
\tpolicy = "read"
}
node_prefix "" {
\tpolicy = "read"
}"""

_NODE = """
node "{{.Name}}" {
\tpolicy = "write"
}
service_prefix "" {
\tpolicy = "read"
}"""

_DNS = """
node_prefix "" {
\tpolicy = "read"
}
service_prefix "" {
\tpolicy = "read"
}
query_prefix "" {
\tpolicy = "read"
}"""

_NOMAD_SERVER = """
acl = "write"
agent_prefix "" {
  policy = "read"
}
node_prefix "" {
  policy = "read"
}
service_prefix "" {
  policy = "write"
}"""

_WORKLOAD_IDENTITY = """identity "{{.Name}}" {
\tpolicy = "write"
}"""

_API_GATEWAY = """mesh = "read"
node_prefix "" {
\tpolicy = "read"
}
service_prefix "" {
\tpolicy = "read"
}
service "{{.Name}}" {
\tpolicy = "write"
}"""

_NOMAD_CLIENT = """agent "{{.Name}}" {
  policy = "read"
}
node "{{.Name}}" {
  policy = "write"
}
service_prefix "" {
  policy = "write"
}
"""


@dataclass(frozen=True, slots=True)
class TemplatedPolicyTemplate:
    """A builtin template; an empty ``schema`` means it takes no variables."""

    name: str
    id: str
    schema: str
    template: str
    description: str

    @property
    def needs_name(self) -> bool:
        return bool(self.schema)


TEMPLATED_POLICIES: Mapping[str, TemplatedPolicyTemplate] = {
    t.name: t
    for t in (
        TemplatedPolicyTemplate(
            "builtin/service",
            "00000000-0000-0000-0000-000000000003",
            _NAME_SCHEMA,
            _SERVICE,
            "Gives the token or role permissions to register a service and discover services in"
            " the Consul catalog. It also gives the specified service's sidecar proxy the"
            " permission to discover and route traffic to other services.",
        ),
        TemplatedPolicyTemplate(
            "builtin/node",
            "00000000-0000-0000-0000-000000000004",
            _NAME_SCHEMA,
            _NODE,
            "Gives the token or role permissions for a register an agent/node into the catalog."
            " A node is typically a consul agent but can also be a physical server, cloud"
            " instance or a container.",
        ),
        TemplatedPolicyTemplate(
            "builtin/dns",
            "00000000-0000-0000-0000-000000000005",
            "",
            _DNS,
            "Gives the token or role permissions for the Consul DNS to query services in the"
            " network.",
        ),
        TemplatedPolicyTemplate(
            "builtin/nomad-server",
            "00000000-0000-0000-0000-000000000006",
            "",
            _NOMAD_SERVER,
            "Gives the token or role permissions required for integration with a nomad server.",
        ),
        TemplatedPolicyTemplate(
            "builtin/workload-identity",
            "00000000-0000-0000-0000-000000000007",
            _NAME_SCHEMA_FILE,
            _WORKLOAD_IDENTITY,
            "Gives the token or role permissions for a specific workload identity.",
        ),
        TemplatedPolicyTemplate(
            "builtin/api-gateway",
            "00000000-0000-0000-0000-000000000008",
            _NAME_SCHEMA_FILE,
            _API_GATEWAY,
            "Gives the token or role permissions for a Consul api gateway",
        ),
        TemplatedPolicyTemplate(
            "builtin/nomad-client",
            "00000000-0000-0000-0000-000000000009",
            "",
            _NOMAD_CLIENT,
            "Gives the token or role permissions required for integration with a nomad client.",
        ),
    )
}


def _unknown(template_name: str) -> IdentityError:
    return IdentityError(f"acl templated policy does not exist: {template_name}")


def check_templated_policy(template_name: str, name: str = "") -> TemplatedPolicyTemplate:
    """The template, once its variables pass its schema (Consul's messages); templates without
    a schema ignore any variables, as Consul does."""
    template = TEMPLATED_POLICIES.get(template_name)
    if template is None:
        raise _unknown(template_name)
    if not template.schema:
        return template
    if template_name == "builtin/service" and name and not is_valid_service_identity_name(name):
        raise IdentityError(
            f'service identity "{name}" has an invalid name. Only lowercase alphanumeric'
            " characters, '-' and '_' are allowed"
        )
    if template_name == "builtin/node" and name and not is_valid_node_identity_name(name):
        raise IdentityError(
            f'node identity "{name}"  has an invalid name. Only lowercase alphanumeric'
            " characters, '-' and '_' are allowed"
        )
    if not name:
        raise IdentityError("name is required")
    return template


def templated_policy_rules(template_name: str, name: str = "") -> str:
    """Render a builtin template; raises ``IdentityError`` for unknown templates or bad names."""
    template = check_templated_policy(template_name, name)
    return template.template.replace("{{.Name}}", name)


def templated_policy(
    template_name: str, name: str = "", datacenters: Sequence[str] = ()
) -> SyntheticPolicy:
    return make_synthetic_policy(
        templated_policy_rules(template_name, name),
        f"synthetic policy generated from templated policy: {template_name}",
        datacenters,
    )
