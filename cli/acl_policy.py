"""``cnsl acl policy create|read|update|delete|list``: Consul's ``command/acl/policy/*``.

A policy is named by ``-id`` (a unique prefix will do, or ``global-management``) or ``-name``.
``-rules`` takes the rules inline, ``@FILE`` or ``-`` for stdin. ``policy update`` merges: only
the flags given change the policy (``-no-merge`` replaces every field with the flags' values).
"""

from __future__ import annotations

import dataclasses

from cli.acl import (
    NotResolved,
    delete_by_id_or_name,
    format_flag,
    meta_flag,
    resolve_policy_id,
    show,
    wants_json,
)
from cli.acl_format import format_policy, format_policy_list
from cli.command import (
    EXIT_ERROR,
    Command,
    DataError,
    UsageProblem,
    command_table,
    load_data,
    no_args,
)
from cli.goflags import BOOL, LIST, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.textfmt import go_quote
from cnslkit.api import acl
from cnslkit.api.aclmodels import ACLPolicy
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cli.command import Invocation
    from cli.httpflags import Http

__all__ = ["COMMANDS"]

_RULES = "The policy rules: the text itself, @FILE to read them from a file, or - for stdin."
_DCS = "Datacenter the policy is valid in (default: all). May be specified multiple times."
_ID = "The ID of the policy (a unique prefix will do)."

CREATE_FLAGS = (
    Flag("name", STRING, "", help="The new policy's name. This flag is required."),
    Flag("description", STRING, "", help="A description of the policy."),
    Flag("rules", STRING, "", help=_RULES),
    Flag("valid-datacenter", LIST, help=_DCS, metavar="DC"),
    meta_flag("policy"),
    format_flag(),
    *HTTP_FLAGS,
)
READ_FLAGS = (
    Flag("id", STRING, "", help=_ID),
    Flag("name", STRING, "", help="The name of the policy to read."),
    meta_flag("policy"),
    format_flag(),
    *HTTP_FLAGS,
)
# None = not given, so "-description=" can clear the description while merging.
UPDATE_FLAGS = (
    Flag("id", STRING, "", help=_ID),
    Flag("name", STRING, None, help="The policy's (new) name; names the policy without -id."),
    Flag("description", STRING, None, help="A description of the policy."),
    Flag("rules", STRING, None, help=_RULES),
    Flag("valid-datacenter", LIST, help=_DCS, metavar="DC"),
    Flag("no-merge", BOOL, help="Replace every field (except the ID) with the flags' values."),
    meta_flag("policy"),
    format_flag(),
    *HTTP_FLAGS,
)
DELETE_FLAGS = (
    Flag("id", STRING, "", help=_ID),
    Flag("name", STRING, "", help="The name of the policy to delete."),
    *HTTP_FLAGS,
)
LIST_FLAGS = (meta_flag("policy"), format_flag(), *HTTP_FLAGS)

_ID_OR_NAME = "Must specify either the -id or -name parameters"


def _rules(inv: Invocation, prefix: str) -> str | None:
    """-rules through Consul's LoadDataSource; None after printing why it could not be read."""
    text = inv.parsed.text("rules") or ""
    try:
        return load_data(text).decode("utf-8", "surrogateescape") if text else ""
    except DataError as exc:
        inv.out.error(f"{prefix}: {exc}")
        return None


def _id_by_name(http: Http, name: str) -> str:
    policy = http.send(acl.policy_read_by_name(name))
    if policy is None:
        raise NotResolved(f"No such policy with name {name}")
    return policy.id


def run_create(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    name = p.text("name") or ""
    if not name:
        raise UsageProblem("Missing require '-name' flag")
    http = inv.http()
    rules = _rules(inv, "Error loading rules")
    if rules is None:
        return EXIT_ERROR
    policy = ACLPolicy(
        name=name,
        description=p.text("description") or "",
        rules=rules,
        datacenters=tuple(p.items("valid-datacenter")) or None,
    )
    try:
        created = http.send(acl.policy_create(policy))
    except ApiError as exc:
        inv.out.error(f"Failed to create new policy: {exc}")
        return EXIT_ERROR
    return show(inv, format_policy(created, json=as_json, meta=p.on("meta")))


def run_read(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    partial, name = p.text("id") or "", p.text("name") or ""
    if not partial and not name:
        raise UsageProblem(_ID_OR_NAME)
    http = inv.http()
    policy: ACLPolicy | None
    if partial:
        try:
            policy_id = resolve_policy_id(http, partial)
        except (ApiError, NotResolved) as exc:
            inv.out.error(f"Error determining policy ID: {exc}")
            return EXIT_ERROR
        try:
            policy = http.send(acl.policy_read(policy_id))
        except ApiError as exc:
            inv.out.error(f"Error reading policy {go_quote('id:' + policy_id)}: {exc}")
            return EXIT_ERROR
    else:
        try:
            policy = http.send(acl.policy_read_by_name(name))
        except ApiError as exc:
            why = f"Failed to find policy with name {name}: {exc}"
            inv.out.error(f"Error reading policy {go_quote('name:' + name)}: {why}")
            return EXIT_ERROR
    if policy is None:
        inv.out.error(f"Error policy not found: {name}")
        return EXIT_ERROR
    return show(inv, format_policy(policy, json=as_json, meta=p.on("meta")))


def _updated(inv: Invocation, current: ACLPolicy, rules: str) -> ACLPolicy:
    p = inv.parsed
    dcs = tuple(p.items("valid-datacenter"))
    if p.on("no-merge"):
        return ACLPolicy(
            id=current.id,
            name=p.text("name") or "",
            description=p.text("description") or "",
            rules=rules,
            datacenters=dcs or None,
        )
    changes: dict[str, Any] = {}
    for flag in ("name", "description"):
        value = p.text(flag)
        if value is not None:
            changes[flag] = value
    if p.text("rules") is not None:
        changes["rules"] = rules
    if dcs:
        changes["datacenters"] = dcs
    return dataclasses.replace(current, **changes)


def run_update(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    partial, name = p.text("id") or "", p.text("name") or ""
    if not partial and not name:
        raise UsageProblem(_ID_OR_NAME)
    http = inv.http()
    try:
        policy_id = resolve_policy_id(http, partial) if partial else _id_by_name(http, name)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining policy ID: {exc}")
        return EXIT_ERROR
    rules = _rules(inv, "Error loading data source")
    if rules is None:
        return EXIT_ERROR
    current = ACLPolicy(id=policy_id)
    if not p.on("no-merge"):
        try:
            current = http.send(acl.policy_read(policy_id))
        except ApiError as exc:
            inv.out.error(f"Error reading policy {go_quote(policy_id)}: {exc}")
            return EXIT_ERROR
    try:
        updated = http.send(acl.policy_update(_updated(inv, current, rules)))
    except ApiError as exc:
        inv.out.error(f"Error updating policy {go_quote(policy_id)}: {exc}")
        return EXIT_ERROR
    return show(inv, format_policy(updated, json=as_json, meta=p.on("meta")))


def run_delete(inv: Invocation) -> int:
    return delete_by_id_or_name(
        inv, "policy", _ID_OR_NAME, resolve_policy_id, _id_by_name, acl.policy_delete
    )


def run_list(inv: Invocation) -> int:
    no_args(inv)
    as_json = wants_json(inv)
    try:
        policies = inv.http().send(acl.policy_list())
    except ApiError as exc:
        inv.out.error(f"Failed to retrieve the policy list: {exc}")
        return EXIT_ERROR
    return show(inv, format_policy_list(policies, json=as_json, meta=inv.parsed.on("meta")))


COMMANDS: dict[str, Command] = command_table(
    Command(
        "create",
        CREATE_FLAGS,
        run_create,
        synopsis="Create an ACL policy",
        help="Create a policy from -rules (inline, @FILE or - for stdin) and print it.",
    ),
    Command(
        "read",
        READ_FLAGS,
        run_read,
        synopsis="Read an ACL policy",
        help="Print one policy, with its rules, named by -id (or a unique prefix) or -name.",
    ),
    Command(
        "update",
        UPDATE_FLAGS,
        run_update,
        synopsis="Update an ACL policy",
        help="Change the fields of a policy given by -id or -name; fields without a flag keep "
        "their value unless -no-merge.",
    ),
    Command(
        "delete",
        DELETE_FLAGS,
        run_delete,
        synopsis="Delete an ACL policy",
        help="Delete the policy named by -id (or a unique prefix) or -name.",
    ),
    Command(
        "list",
        LIST_FLAGS,
        run_list,
        synopsis="Lists ACL policies",
        help="Print every policy (without rules).",
    ),
)
