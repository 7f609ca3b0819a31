"""``cnsl acl role create|read|update|delete|list``: Consul's ``command/acl/role/*``.

A role is named by ``-id`` (a unique prefix will do) or ``-name``. ``role update`` merges by
default: policies and identities given are added (an identity for a service already there takes
the new datacenters), name and description change when given; ``-no-merge`` replaces them all.
"""

from __future__ import annotations

import dataclasses

from cli.acl import (
    NotResolved,
    append_links,
    delete_by_id_or_name,
    format_flag,
    merge_node_identities,
    merge_service_identities,
    meta_flag,
    node_identities,
    resolve_policy_id,
    resolve_role_id,
    service_identities,
    show,
    wants_json,
)
from cli.acl_format import format_role, format_role_list
from cli.command import EXIT_ERROR, Command, UsageProblem, command_table, no_args
from cli.goflags import BOOL, LIST, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.textfmt import go_quote
from cnslkit.api import acl
from cnslkit.api.aclmodels import ACLLink, ACLRole
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from cli.command import Invocation
    from cli.httpflags import Http

__all__ = ["COMMANDS"]

_REPEAT = "May be specified multiple times."
_ID = "The ID of the role (a unique prefix will do)."


def _link_flags() -> tuple[Flag, ...]:
    return (
        Flag("policy-id", LIST, help=f"ID of a policy for this role. {_REPEAT}", metavar="ID"),
        Flag("policy-name", LIST, help=f"Name of a policy for this role. {_REPEAT}"),
        Flag(
            "service-identity",
            LIST,
            help=f"A service identity for this role: NAME or NAME:DC1,DC2. {_REPEAT}",
            metavar="SPEC",
        ),
        Flag("node-identity", LIST, help=f"A node identity for this role: NODE:DC. {_REPEAT}"),
    )


CREATE_FLAGS = (
    Flag("name", STRING, "", help="The new role's name. This flag is required."),
    Flag("description", STRING, "", help="A description of the role."),
    *_link_flags(),
    meta_flag("role"),
    format_flag(),
    *HTTP_FLAGS,
)
READ_FLAGS = (
    Flag("id", STRING, "", help=_ID),
    Flag("name", STRING, "", help="The name of the role to read."),
    meta_flag("role"),
    format_flag(),
    *HTTP_FLAGS,
)
UPDATE_FLAGS = (
    Flag("id", STRING, "", help=_ID),
    Flag("name", STRING, "", help="The role's new name."),
    Flag("description", STRING, "", help="A description of the role."),
    *_link_flags(),
    Flag("no-merge", BOOL, help="Replace every field (except the ID) with the flags' values."),
    meta_flag("role"),
    format_flag(),
    *HTTP_FLAGS,
)
DELETE_FLAGS = (
    Flag("id", STRING, "", help=_ID),
    Flag("name", STRING, "", help="The name of the role to delete."),
    *HTTP_FLAGS,
)
LIST_FLAGS = (meta_flag("role"), format_flag(), *HTTP_FLAGS)

_NO_LINKS = (
    "Cannot create a role without specifying -policy-name, -policy-id, -service-identity, "
    "or -node-identity at least once"
)


class _Failed(Exception):
    """A policy ID could not be resolved: message to stderr, exit 1."""


def _policies(http: Http, names: Sequence[str], ids: Sequence[str]) -> list[ACLLink]:
    links = [ACLLink(name=name) for name in names]
    for partial in ids:
        try:
            links.append(ACLLink(id=resolve_policy_id(http, partial)))
        except (ApiError, NotResolved) as exc:
            raise _Failed(f"Error resolving policy ID {partial}: {exc}") from None
    return links


def _id_by_name(http: Http, name: str) -> str:
    """Consul's ``GetRoleIDByName``: looked up in the role list."""
    for role in http.send(acl.role_list()):
        if role.name == name:
            return role.id
    raise NotResolved(f"No such role with name {name}")


def run_create(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    name = p.text("name") or ""
    if not name:
        raise UsageProblem("Missing require '-name' flag")
    kinds = ("policy-name", "policy-id", "service-identity", "node-identity")
    if not any(p.items(k) for k in kinds):
        raise UsageProblem(_NO_LINKS)
    services = service_identities(p.items("service-identity"))
    nodes = node_identities(p.items("node-identity"))
    http = inv.http()
    try:
        role = ACLRole(
            name=name,
            description=p.text("description") or "",
            policies=tuple(_policies(http, p.items("policy-name"), p.items("policy-id"))),
            service_identities=tuple(services),
            node_identities=tuple(nodes),
        )
        created = http.send(acl.role_create(role))
    except _Failed as exc:
        inv.out.error(str(exc))
        return EXIT_ERROR
    except ApiError as exc:
        inv.out.error(f"Failed to create new role: {exc}")
        return EXIT_ERROR
    return show(inv, format_role(created, json=as_json, meta=p.on("meta")))


def run_read(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    partial, name = p.text("id") or "", p.text("name") or ""
    if not partial and not name:
        raise UsageProblem("Must specify either the -id or -name parameters")
    http = inv.http()
    if partial:
        try:
            role_id = resolve_role_id(http, partial)
        except (ApiError, NotResolved) as exc:
            inv.out.error(f"Error determining role ID: {exc}")
            return EXIT_ERROR
        what, missing = role_id, f"Role not found with ID {go_quote(role_id)}"
        call = acl.role_read(role_id)
    else:
        what, missing = name, f"Role not found with name {go_quote(name)}"
        call = acl.role_read_by_name(name)
    try:
        role = http.send(call)
    except ApiError as exc:
        inv.out.error(f"Error reading role {go_quote(what)}: {exc}")
        return EXIT_ERROR
    if role is None:
        inv.out.error(missing)
        return EXIT_ERROR
    return show(inv, format_role(role, json=as_json, meta=p.on("meta")))


def _updated(inv: Invocation, http: Http, current: ACLRole) -> ACLRole:
    p = inv.parsed
    services = service_identities(p.items("service-identity"))
    nodes = node_identities(p.items("node-identity"))
    links = _policies(http, p.items("policy-name"), p.items("policy-id"))
    if p.on("no-merge"):
        return ACLRole(
            id=current.id,
            name=p.text("name") or "",
            description=p.text("description") or "",
            policies=tuple(links),
            service_identities=tuple(services),
            node_identities=tuple(nodes),
        )
    return dataclasses.replace(
        current,
        name=p.text("name") or current.name,
        description=p.text("description") or current.description,
        policies=append_links(current.policies, links),
        service_identities=merge_service_identities(current.service_identities, services),
        node_identities=merge_node_identities(current.node_identities, nodes),
    )


def run_update(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    partial = p.text("id") or ""
    if not partial:
        raise UsageProblem("Cannot update a role without specifying the -id parameter")
    service_identities(p.items("service-identity"))
    node_identities(p.items("node-identity"))
    http = inv.http()
    try:
        role_id = resolve_role_id(http, partial)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining role ID: {exc}")
        return EXIT_ERROR
    try:
        current = http.send(acl.role_read(role_id))
    except ApiError as exc:
        inv.out.error(f"Error when retrieving current role: {exc}")
        return EXIT_ERROR
    if current is None:
        inv.out.error(f"Role not found with ID {go_quote(role_id)}")
        return EXIT_ERROR
    try:
        updated = http.send(acl.role_update(_updated(inv, http, current)))
    except _Failed as exc:
        inv.out.error(str(exc))
        return EXIT_ERROR
    except ApiError as exc:
        inv.out.error(f"Error updating role {go_quote(role_id)}: {exc}")
        return EXIT_ERROR
    return show(inv, format_role(updated, json=as_json, meta=p.on("meta")))


def run_delete(inv: Invocation) -> int:
    return delete_by_id_or_name(
        inv,
        "role",
        "Must specify the -id or -name parameters",
        resolve_role_id,
        _id_by_name,
        acl.role_delete,
    )


def run_list(inv: Invocation) -> int:
    no_args(inv)
    as_json = wants_json(inv)
    try:
        roles = inv.http().send(acl.role_list())
    except ApiError as exc:
        inv.out.error(f"Failed to retrieve the role list: {exc}")
        return EXIT_ERROR
    return show(inv, format_role_list(roles, json=as_json, meta=inv.parsed.on("meta")))


COMMANDS: dict[str, Command] = command_table(
    Command(
        "create",
        CREATE_FLAGS,
        run_create,
        synopsis="Create an ACL role",
        help="Create a role linking policies (by ID, a unique ID prefix, or name) and service "
        "or node identities, and print it.",
    ),
    Command(
        "read",
        READ_FLAGS,
        run_read,
        synopsis="Read an ACL role",
        help="Print one role, named by -id (or a unique prefix) or -name.",
    ),
    Command(
        "update",
        UPDATE_FLAGS,
        run_update,
        synopsis="Update an ACL role",
        help="Change a role given by -id: name and description when given, policies and "
        "identities added (or, with -no-merge, everything replaced).",
    ),
    Command(
        "delete",
        DELETE_FLAGS,
        run_delete,
        synopsis="Delete an ACL role",
        help="Delete the role named by -id (or a unique prefix) or -name.",
    ),
    Command(
        "list",
        LIST_FLAGS,
        run_list,
        synopsis="Lists ACL roles",
        help="Print every role.",
    ),
)
