"""``cnsl acl token create|read|update|delete|list|clone``: Consul's ``command/acl/token/*``.

Tokens are named by ``-accessor-id`` (a unique prefix will do, or ``anonymous``); ``-id`` is
Consul's deprecated spelling and still works, with Consul's warning on stderr. Policies and roles
given by name are sent as ``{"Name": ...}`` for the server to resolve; IDs may be prefixes.

``token update`` follows Consul: ``-policy-*``/``-role-*`` replace the links and the ``-append-``
variants add to them; ``-service-identity``/``-node-identity`` replace and their ``-append-``
variants merge. One difference: given neither, the token keeps its identities (Consul's command
sends none, which strips them from the token on any update).
"""

from __future__ import annotations

import dataclasses

from cli.acl import (
    NotResolved,
    append_links,
    format_flag,
    merge_node_identities,
    merge_service_identities,
    meta_flag,
    node_identities,
    resolve_policy_id,
    resolve_role_id,
    resolve_token_id,
    service_identities,
    show,
    templated_policies,
    wants_json,
)
from cli.acl_format import format_token, format_token_expanded, format_token_list
from cli.command import EXIT_ERROR, EXIT_OK, Command, UsageProblem, command_table, no_args
from cli.goflags import BOOL, DURATION, LIST, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.textfmt import go_quote
from cnslkit.api import acl
from cnslkit.api.aclmodels import ACLLink, ACLToken
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from cli.command import Invocation
    from cli.httpflags import Http

__all__ = ["COMMANDS"]

_ACCESSOR = "The Accessor ID of the token (a unique prefix, or 'anonymous')."
_REPEAT = "May be specified multiple times."


def _accessor_flags() -> tuple[Flag, Flag]:
    return (
        Flag("accessor-id", STRING, "", help=_ACCESSOR, metavar="ID"),
        Flag("id", STRING, "", help="Deprecated: -accessor-id.", metavar="ID"),
    )


def _link_flags(verb: str) -> tuple[Flag, ...]:
    return (
        Flag("policy-id", LIST, help=f"ID of a policy {verb}. {_REPEAT}", metavar="ID"),
        Flag("policy-name", LIST, help=f"Name of a policy {verb}. {_REPEAT}", metavar="NAME"),
        Flag("role-id", LIST, help=f"ID of a role {verb}. {_REPEAT}", metavar="ID"),
        Flag("role-name", LIST, help=f"Name of a role {verb}. {_REPEAT}", metavar="NAME"),
        Flag(
            "service-identity",
            LIST,
            help=f"A service identity {verb}: NAME or NAME:DC1,DC2. {_REPEAT}",
            metavar="SPEC",
        ),
        Flag("node-identity", LIST, help=f"A node identity {verb}: NODE:DC. {_REPEAT}"),
    )


CREATE_FLAGS = (
    Flag("accessor", STRING, "", help="Create the token with this Accessor ID (a UUID)."),
    Flag("secret", STRING, "", help="Create the token with this Secret ID (a UUID)."),
    Flag("description", STRING, "", help="A description of the token."),
    Flag("local", BOOL, help="Create this as a datacenter local token."),
    Flag("expires-ttl", DURATION, help="Duration of time this token should be valid for."),
    *_link_flags("to use for this token"),
    Flag(
        "templated-policy",
        STRING,
        "",
        help="A templated policy (builtin/service ...) for this token; see -var.",
        metavar="NAME",
    ),
    Flag("var", LIST, help="A templated policy variable, VariableName:Value.", metavar="VAR"),
    meta_flag("token"),
    format_flag(),
    *HTTP_FLAGS,
)
READ_FLAGS = (
    *_accessor_flags(),
    Flag("self", BOOL, help="Read the token this request is made with (its secret is -token)."),
    Flag("expanded", BOOL, help="Also show the policies and roles the token uses, with rules."),
    meta_flag("token"),
    format_flag(),
    *HTTP_FLAGS,
)
UPDATE_FLAGS = (
    *_accessor_flags(),
    Flag("description", STRING, "", help="A new description of the token."),
    *_link_flags("to use for this token, replacing the current ones"),
    Flag("append-policy-id", LIST, help=f"ID of a policy to add. {_REPEAT}", metavar="ID"),
    Flag("append-policy-name", LIST, help=f"Name of a policy to add. {_REPEAT}", metavar="NAME"),
    Flag("append-role-id", LIST, help=f"ID of a role to add. {_REPEAT}", metavar="ID"),
    Flag("append-role-name", LIST, help=f"Name of a role to add. {_REPEAT}", metavar="NAME"),
    Flag("append-service-identity", LIST, help=f"A service identity to add. {_REPEAT}"),
    Flag("append-node-identity", LIST, help=f"A node identity to add. {_REPEAT}"),
    meta_flag("token"),
    format_flag(),
    *HTTP_FLAGS,
)
DELETE_FLAGS = (*_accessor_flags(), *HTTP_FLAGS)
LIST_FLAGS = (meta_flag("token"), format_flag(), *HTTP_FLAGS)
CLONE_FLAGS = (
    *_accessor_flags(),
    Flag("description", STRING, "", help="A description of the new token."),
    format_flag(),
    *HTTP_FLAGS,
)

_NO_LINKS = (
    "Cannot create a token without specifying -policy-name, -policy-id, -role-name, -role-id, "
    "-service-identity, -node-identity, or -templated-policy at least once"
)
_PLURAL = {"policy": "policies", "role": "roles"}


class _Failed(Exception):
    """A step failed after the command line was accepted: message to stderr, exit 1."""


def _accessor(inv: Invocation, missing: str, warning: str) -> str:
    """-accessor-id, or the deprecated -id with Consul's warning; UsageProblem when neither."""
    no_args(inv)
    accessor = inv.parsed.text("accessor-id") or ""
    if not accessor:
        accessor = inv.parsed.text("id") or ""
        if not accessor:
            raise UsageProblem(missing)
        inv.out.error(warning)
    return accessor


def _links(http: Http, names: Sequence[str], ids: Sequence[str], kind: str) -> list[ACLLink]:
    """Names as they are (the server resolves them), then IDs resolved from prefixes."""
    links = [ACLLink(name=name) for name in names]
    resolve = resolve_policy_id if kind == "policy" else resolve_role_id
    for partial in ids:
        try:
            links.append(ACLLink(id=resolve(http, partial)))
        except (ApiError, NotResolved) as exc:
            raise _Failed(f"Error resolving {kind} ID {partial}: {exc}") from None
    return links


def run_create(inv: Invocation) -> int:
    p = inv.parsed
    no_args(inv)
    as_json = wants_json(inv)
    kinds = ("policy-name", "policy-id", "role-name", "role-id", "service-identity")
    if not any(p.items(k) for k in (*kinds, "node-identity")) and not p.text("templated-policy"):
        raise UsageProblem(_NO_LINKS)
    services = service_identities(p.items("service-identity"))
    nodes = node_identities(p.items("node-identity"))
    templated = templated_policies(p.text("templated-policy") or "", p.items("var"))
    ttl = p.values["expires-ttl"]
    http = inv.http()
    try:
        token = ACLToken(
            accessor_id=p.text("accessor") or "",
            secret_id=p.text("secret") or "",
            description=p.text("description") or "",
            policies=tuple(_links(http, p.items("policy-name"), p.items("policy-id"), "policy")),
            roles=tuple(_links(http, p.items("role-name"), p.items("role-id"), "role")),
            service_identities=tuple(services),
            node_identities=tuple(nodes),
            templated_policies=tuple(templated),
            local=p.on("local"),
            expiration_ttl=round(ttl * 1e9) if isinstance(ttl, float) and ttl > 0 else 0,
        )
        created = http.send(acl.token_create(token))
    except _Failed as exc:
        inv.out.error(str(exc))
        return EXIT_ERROR
    except ApiError as exc:
        inv.out.error(f"Failed to create new token: {exc}")
        return EXIT_ERROR
    return show(inv, format_token(created, json=as_json, meta=p.on("meta")))


def _read_self(inv: Invocation, as_json: bool) -> int:
    no_args(inv)
    if inv.parsed.on("expanded"):
        raise UsageProblem(
            "Cannot use both -expanded and -self. "
            "Instead, use -expanded and -accessor-id=<accessor id>."
        )
    try:
        token = inv.http().send(acl.token_read_self())
    except ApiError as exc:
        inv.out.error(f"Error reading token: {exc}")
        return EXIT_ERROR
    return show(inv, format_token(token, json=as_json, meta=inv.parsed.on("meta")))


def run_read(inv: Invocation) -> int:
    p = inv.parsed
    as_json, meta = wants_json(inv), p.on("meta")
    if p.on("self"):
        return _read_self(inv, as_json)
    accessor = _accessor(
        inv,
        "Must specify the -accessor-id parameter",
        "Use the -accessor-id parameter to specify token by Accessor ID",
    )
    http = inv.http()
    try:
        tok = resolve_token_id(http, accessor)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining token ID: {exc}")
        return EXIT_ERROR
    try:
        if p.on("expanded"):
            full = http.send(acl.token_read_expanded(tok))
            return show(inv, format_token_expanded(full, json=as_json, meta=meta))
        token = http.send(acl.token_read(tok))
    except ApiError as exc:
        inv.out.error(f"Error reading token {go_quote(tok)}: {exc}")
        return EXIT_ERROR
    return show(inv, format_token(token, json=as_json, meta=meta))


def _check_update_flags(inv: Invocation) -> None:
    """Replacing and appending the same kind of link at once is ambiguous (Consul refuses)."""
    p = inv.parsed
    for kind, plural in _PLURAL.items():
        plain = p.items(f"{kind}-id") + p.items(f"{kind}-name")
        added = p.items(f"append-{kind}-id") + p.items(f"append-{kind}-name")
        if plain and added:
            raise UsageProblem(
                f"Cannot combine the use of {kind}-id/{kind}-name flags with append- variants. "
                f"To set or overwrite existing {plural}, use -{kind}-id or -{kind}-name. "
                f"To append to existing {plural}, use -append-{kind}-id or -append-{kind}-name."
            )
    for what in ("service-identity", "node-identity"):
        if p.items(what) and p.items(f"append-{what}"):
            noun = what.replace("-identity", " identities")
            raise UsageProblem(
                f"Cannot combine the use of {what} flag with append-{what}. "
                f"To set or overwrite existing {noun}, use -{what}. "
                f"To append to existing {noun}, use -append-{what}."
            )
    # Malformed identities are usage errors too, found before anything is sent.
    service_identities(p.items("service-identity") + p.items("append-service-identity"))
    node_identities(p.items("node-identity") + p.items("append-node-identity"))


def _updated(inv: Invocation, http: Http, token: ACLToken) -> ACLToken:
    """The token with the flags' changes applied (Consul's token update rules)."""
    p = inv.parsed
    changes: dict[str, Any] = {}
    if p.text("description"):
        changes["description"] = p.text("description")
    for kind, field in (("policy", "policies"), ("role", "roles")):
        names, ids = p.items(f"{kind}-name"), p.items(f"{kind}-id")
        if names or ids:
            changes[field] = tuple(_links(http, names, ids, kind))
        else:
            names, ids = p.items(f"append-{kind}-name"), p.items(f"append-{kind}-id")
            changes[field] = append_links(getattr(token, field), _links(http, names, ids, kind))
    services = service_identities(p.items("service-identity"))
    extra = service_identities(p.items("append-service-identity"))
    changes["service_identities"] = (
        tuple(services) if services else merge_service_identities(token.service_identities, extra)
    )
    nodes = node_identities(p.items("node-identity"))
    extra_nodes = node_identities(p.items("append-node-identity"))
    changes["node_identities"] = (
        tuple(nodes) if nodes else merge_node_identities(token.node_identities, extra_nodes)
    )
    return dataclasses.replace(token, **changes)


def run_update(inv: Invocation) -> int:
    accessor = _accessor(
        inv,
        "Cannot update a token without specifying the -accessor-id parameter",
        "Use the -accessor-id parameter to specify token by Accessor ID",
    )
    as_json = wants_json(inv)
    _check_update_flags(inv)
    http = inv.http()
    try:
        tok = resolve_token_id(http, accessor)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining token ID: {exc}")
        return EXIT_ERROR
    try:
        current = http.send(acl.token_read(tok))
    except ApiError as exc:
        inv.out.error(f"Error when retrieving current token: {exc}")
        return EXIT_ERROR
    try:
        updated = http.send(acl.token_update(_updated(inv, http, current)))
    except _Failed as exc:
        inv.out.error(str(exc))
        return EXIT_ERROR
    except ApiError as exc:
        inv.out.error(f"Failed to update token {tok}: {exc}")
        return EXIT_ERROR
    return show(inv, format_token(updated, json=as_json, meta=inv.parsed.on("meta")))


def run_delete(inv: Invocation) -> int:
    accessor = _accessor(
        inv,
        "Must specify the -accessor-id parameter",
        "Use the -accessor-id parameter to specify token by Accessor ID.",
    )
    http = inv.http()
    try:
        tok = resolve_token_id(http, accessor)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining token ID: {exc}")
        return EXIT_ERROR
    try:
        http.send(acl.token_delete(tok))
    except ApiError as exc:
        inv.out.error(f"Error deleting token {go_quote(tok)}: {exc}")
        return EXIT_ERROR
    inv.out.info(f"Token {go_quote(tok)} deleted successfully")
    return EXIT_OK


def run_list(inv: Invocation) -> int:
    no_args(inv)
    as_json = wants_json(inv)
    try:
        tokens = inv.http().send(acl.token_list())
    except ApiError as exc:
        inv.out.error(f"Failed to retrieve the token list: {exc}")
        return EXIT_ERROR
    return show(inv, format_token_list(tokens, json=as_json, meta=inv.parsed.on("meta")))


def run_clone(inv: Invocation) -> int:
    accessor = _accessor(
        inv,
        "Cannot update a token without specifying the -accessor-id parameter",
        "The -id parameter is deprecated. Use the -accessor-id parameter instead.",
    )
    as_json = wants_json(inv)
    http = inv.http()
    try:
        tok = resolve_token_id(http, accessor)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining token Accessor ID: {exc}")
        return EXIT_ERROR
    try:
        token = http.send(acl.token_clone(tok, inv.parsed.text("description") or ""))
    except ApiError as exc:
        inv.out.error(f"Error cloning token: {exc}")
        return EXIT_ERROR
    return show(inv, format_token(token, json=as_json))


COMMANDS: dict[str, Command] = command_table(
    Command(
        "create",
        CREATE_FLAGS,
        run_create,
        synopsis="Create an ACL token",
        help="Create a token linked to policies and roles (by ID, a unique ID prefix, or name) "
        "and/or service, node or templated identities, and print it with its SecretID.",
    ),
    Command(
        "read",
        READ_FLAGS,
        run_read,
        synopsis="Read an ACL token",
        help="Print one token, named by -accessor-id (or a unique prefix), or with -self the "
        "token the request is made with.",
    ),
    Command(
        "update",
        UPDATE_FLAGS,
        run_update,
        synopsis="Update an ACL token",
        help="Change a token's description, policies, roles and identities. Its IDs and "
        "locality cannot change.",
    ),
    Command(
        "delete",
        DELETE_FLAGS,
        run_delete,
        synopsis="Delete an ACL token",
        help="Delete the token -accessor-id names (or a unique prefix of it).",
    ),
    Command(
        "list",
        LIST_FLAGS,
        run_list,
        synopsis="List ACL tokens",
        help="Print every token (SecretIDs show <hidden> without acl:write).",
    ),
    Command(
        "clone",
        CLONE_FLAGS,
        run_clone,
        synopsis="Clone an ACL token",
        help="Create a new token with the same policies, roles, identities and locality as "
        "-accessor-id, and new IDs; -description gives it its own.",
    ),
)
