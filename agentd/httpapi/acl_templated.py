"""``/v1/acl/templated-policies`` and ``/v1/acl/templated-policy/{name,preview}/<name>``: the
builtin templated policies (``agentd.acl.templated``), listed, read and rendered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentd.acl.identities import IdentityError
from agentd.acl.templated import TEMPLATED_POLICIES, templated_policy
from agentd.errors import BadRequest, NotFound
from agentd.httpapi.acl import content_hash, require_enabled, synthetic_json
from agentd.httpapi.app import json_response
from agentd.httpapi.decode import field_str, object_body
from agentd.httpapi.request import Request, Response

if TYPE_CHECKING:
    from agentd.agent import Agent


def _template_json(t: Any) -> dict[str, Any]:
    return {
        "TemplateName": t.name,
        "Schema": t.schema,
        "Template": t.template,
        "Description": t.description,
    }


async def templated_policy_list(agent: Agent, req: Request) -> Response:
    require_enabled(agent)
    return json_response({name: _template_json(t) for name, t in TEMPLATED_POLICIES.items()})


async def templated_policy_item(agent: Agent, req: Request) -> Response:
    """``GET .../name/<name>`` reads a template; ``POST .../preview/<name>`` renders it with the
    body's variables into the synthetic policy a token would get."""
    require_enabled(agent)
    rest = req.path.removeprefix("/v1/acl/templated-policy/")
    kind, _, name = rest.partition("/")
    if (kind, req.method) not in (("name", "GET"), ("preview", "POST")) or not name:
        raise NotFound(f"Invalid URL path: {req.path}")
    if name not in TEMPLATED_POLICIES:
        raise NotFound(f"Invalid templated policy Name: {name}")
    if kind == "name":
        return json_response(_template_json(TEMPLATED_POLICIES[name]))
    f = object_body(req.body) if req.body.strip() else {}
    try:
        syn = templated_policy(name, field_str(f, "name"))
    except IdentityError as exc:
        raise BadRequest(
            f"validation error for templated policy: {name!r}: {exc.message}"
        ) from None
    out = synthetic_json(syn)
    out["Datacenters"] = None
    basis = {"Name": syn.name, "Rules": syn.rules, "Description": syn.description}
    out["Hash"] = content_hash(basis)
    out["CreateIndex"], out["ModifyIndex"] = 0, 0
    return json_response(out)
