"""``cnsl acl``: Consul's ``command/acl``: ``bootstrap``, ``set-agent-token`` and the ``token``,
``policy`` and ``role`` groups (:data:`GROUPS`, one module each).

Also what those modules share, as Consul's ``acl_helpers.go`` does: the ``-format``/``-meta``
flags, identity flag parsing, the merge rules of the update commands and partial-ID resolution
(a unique prefix of a UUID, listed from the agent, stands for the whole; ``anonymous`` and
``global-management`` name the builtins).
Messages are Consul's. Exit codes: 2 when the command line is wrong (missing or conflicting
flags, a malformed identity, an unknown format, where Consul exits 1), 1 when the agent refuses
or cannot be reached or a lookup fails, 0 otherwise.
"""

from __future__ import annotations

from cli.command import (
    EXIT_ERROR,
    EXIT_OK,
    Command,
    DataError,
    UsageProblem,
    command_table,
    load_data,
    no_args,
)
from cli.goflags import BOOL, STRING, Flag
from cli.httpflags import HTTP_FLAGS
from cli.textfmt import go_quote
from cnslkit.api import acl, agent
from cnslkit.api.aclmodels import ACLLink, NodeIdentity, ServiceIdentity, TemplatedPolicy
from cnslkit.api.errors import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    from cli.command import Invocation
    from cli.httpflags import Http

__all__ = [
    "COMMANDS",
    "GROUPS",
    "NotResolved",
    "append_links",
    "format_flag",
    "merge_node_identities",
    "merge_service_identities",
    "meta_flag",
    "node_identities",
    "resolve_policy_id",
    "resolve_role_id",
    "resolve_token_id",
    "service_identities",
    "show",
    "templated_policies",
    "wants_json",
]

# sub-group, one-line help, module holding its COMMANDS; cli.app nests them under "acl".
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("policy", "Manage Consul's ACL policies", "cli.acl_policy"),
    ("role", "Manage Consul's ACL roles", "cli.acl_role"),
    ("token", "Manage Consul's ACL tokens", "cli.acl_token"),
)


def format_flag() -> Flag:
    return Flag("format", STRING, "pretty", help="Output format {pretty|json}.", metavar="FORMAT")


def meta_flag(noun: str) -> Flag:
    return Flag(
        "meta",
        BOOL,
        help=f"Show {noun} metadata such as the content hash and Raft indices for each entry.",
    )


def wants_json(inv: Invocation) -> bool:
    """``-format``: pretty or json; anything else is a usage error (Consul: ``Unknown format``).

    Checked before any request, so a typo cannot create a token whose secret is never shown.
    """
    fmt = inv.parsed.text("format") or "pretty"
    if fmt not in ("pretty", "json"):
        raise UsageProblem(f"Unknown format: {fmt}")
    return fmt == "json"


def show(inv: Invocation, text: str) -> int:
    """Print a formatter's text the way Consul's ``UI.Info(out)`` does (nothing when empty)."""
    if text:
        inv.out.info(text)
    return EXIT_OK


def service_identities(items: Iterable[str]) -> list[ServiceIdentity]:
    """``-service-identity NAME`` or ``NAME:DC1,DC2`` (Consul's ``ExtractServiceIdentities``)."""
    out = []
    for raw in items:
        parts = raw.split(":")
        if len(parts) > 2:
            raise UsageProblem(f"Malformed -service-identity argument: {go_quote(raw)}")
        dcs = tuple(parts[1].split(",")) if len(parts) == 2 else ()
        out.append(ServiceIdentity(parts[0], dcs))
    return out


def node_identities(items: Iterable[str]) -> list[NodeIdentity]:
    """``-node-identity NODE:DC`` (Consul's ``ExtractNodeIdentities``)."""
    out = []
    for raw in items:
        parts = raw.split(":")
        if len(parts) != 2:
            raise UsageProblem(f"Malformed -node-identity argument: {go_quote(raw)}")
        out.append(NodeIdentity(parts[0], parts[1]))
    return out


def templated_policies(name: str, variables: Sequence[str]) -> list[TemplatedPolicy]:
    """``-templated-policy NAME`` with ``-var VariableName:Value`` (only ``name`` exists)."""
    if not name:
        if variables:
            raise UsageProblem("Cannot specify -var without -templated-policy")
        return []
    value: str | None = None
    for raw in variables:
        parts = raw.split(":")
        if len(parts) != 2:
            raise UsageProblem(
                f"Malformed -var argument: {go_quote(raw)}, expecting VariableName:Value"
            )
        if parts[0].lower() == "name":  # Go decodes the variables case-blind
            value = parts[1]
    return [TemplatedPolicy(name, value)]


def append_links(current: Sequence[ACLLink], added: Sequence[ACLLink]) -> tuple[ACLLink, ...]:
    """-append-policy-*/-append-role-*: links added to ``current``, none twice (by ID or name)."""
    out = list(current)
    for link in added:
        seen = any(
            (link.id and link.id == have.id) or (link.name and link.name == have.name)
            for have in out
        )
        if not seen:
            out.append(link)
    return tuple(out)


def merge_service_identities(
    current: Sequence[ServiceIdentity], added: Sequence[ServiceIdentity]
) -> tuple[ServiceIdentity, ...]:
    """-append-service-identity: a service already there takes the new datacenters."""
    out = list(current)
    for ident in added:
        same = [i for i, have in enumerate(out) if have.service_name == ident.service_name]
        if same:
            out[same[0]] = ident
        else:
            out.append(ident)
    return tuple(out)


def merge_node_identities(
    current: Sequence[NodeIdentity], added: Sequence[NodeIdentity]
) -> tuple[NodeIdentity, ...]:
    """-append-node-identity: a node already there for the same datacenter is not repeated."""
    return tuple(current) + tuple(n for n in dict.fromkeys(added) if n not in current)


class NotResolved(Exception):
    """A partial ID matched no object or more than one (the message is Consul's)."""


def _unique(ids: Iterable[str], partial: str, what: str) -> str:
    found = ""
    for ident in ids:
        if ident.startswith(partial):
            if found:
                raise NotResolved(f"Partial {what} ID is not unique")
            found = ident
    if not found:
        raise NotResolved(f"No such {what} ID with prefix: {partial}")
    return found


def resolve_token_id(http: Http, partial: str) -> str:
    """Consul's ``GetTokenAccessorIDFromPartial``; ApiError when the listing fails."""
    if partial == "anonymous":
        return acl.ANONYMOUS_TOKEN_ID
    if len(partial) == 36:
        return partial
    return _unique((t.accessor_id for t in http.send(acl.token_list())), partial, "token")


def resolve_policy_id(http: Http, partial: str) -> str:
    """Consul's ``GetPolicyIDFromPartial``."""
    if partial == "global-management":
        return acl.GLOBAL_MANAGEMENT_POLICY_ID
    if len(partial) == 36:
        return partial
    return _unique((p.id for p in http.send(acl.policy_list())), partial, "policy")


def resolve_role_id(http: Http, partial: str) -> str:
    """Consul's ``GetRoleIDFromPartial``."""
    if len(partial) == 36:
        return partial
    return _unique((r.id for r in http.send(acl.role_list())), partial, "role")


BOOTSTRAP_FLAGS = (format_flag(), *HTTP_FLAGS)
SET_AGENT_TOKEN_FLAGS = HTTP_FLAGS

# set-agent-token TYPE -> the agent's token path (and its pre-1.11 name, tried on a 404).
AGENT_TOKEN_TYPES: dict[str, tuple[str, str]] = {
    "default": ("default", ""),
    "agent": ("agent", ""),
    "recovery": ("agent_recovery", "agent_master"),
    "replication": ("replication", ""),
    "config_file_service_registration": ("config_file_service_registration", ""),
    "dns": ("dns", ""),
}


def delete_by_id_or_name(
    inv: Invocation,
    noun: str,
    usage: str,
    resolve: Callable[[Http, str], str],
    by_name: Callable[[Http, str], str],
    delete: Callable[[str], Any],
) -> int:
    """``acl policy delete`` / ``acl role delete``: ``-id`` (a unique prefix) or ``-name``."""
    p = inv.parsed
    no_args(inv)
    partial, name = p.text("id") or "", p.text("name") or ""
    if not partial and not name:
        raise UsageProblem(usage)
    http = inv.http()
    try:
        object_id = resolve(http, partial) if partial else by_name(http, name)
    except (ApiError, NotResolved) as exc:
        inv.out.error(f"Error determining {noun} ID: {exc}")
        return EXIT_ERROR
    try:
        http.send(delete(object_id))
    except ApiError as exc:
        inv.out.error(f"Error deleting {noun} {go_quote(object_id)}: {exc}")
        return EXIT_ERROR
    inv.out.info(f"{noun.capitalize()} {go_quote(object_id)} deleted successfully")
    return EXIT_OK


def run_bootstrap(inv: Invocation) -> int:
    from cli.acl_format import format_token

    as_json = wants_json(inv)
    if len(inv.args) > 1:
        raise UsageProblem("This command takes up to one argument")
    secret = ""
    if inv.args:
        # Consul's LoadDataSourceNoRaw: a file path or "-", never the secret itself (argv leaks).
        arg = inv.args[0]
        try:
            secret = load_data(arg if arg == "-" else "@" + arg).decode("utf-8", "replace")
        except DataError as exc:
            inv.out.error(f"Error reading provided token: {exc}")
            return EXIT_ERROR
    http = inv.http()
    try:
        token = http.send(acl.bootstrap(secret.strip()))
    except ApiError as exc:
        inv.out.error(f"Failed ACL bootstrapping: {exc}")
        return EXIT_ERROR
    return show(inv, format_token(token, json=as_json))


def _agent_token_args(args: Sequence[str]) -> tuple[str, str]:
    if not args:
        raise UsageProblem("Error! Missing TYPE and TOKEN arguments")
    if len(args) == 1:
        if args[0] in ("default", "agent", "recovery", "replication"):
            raise UsageProblem("Error! Missing TOKEN argument")
        raise UsageProblem("Error! MISSING TYPE argument")
    if len(args) > 2:
        raise UsageProblem(f"Error! Too many arguments: expected 2 got {len(args)}")
    return args[0], args[1]


def run_set_agent_token(inv: Invocation) -> int:
    kind, source = _agent_token_args(inv.args)
    try:
        token = load_data(source).decode("utf-8", "surrogateescape")
    except DataError as exc:
        inv.out.error(f"Error! {exc}")
        return EXIT_ERROR
    paths = AGENT_TOKEN_TYPES.get(kind)
    if paths is None:
        raise UsageProblem("Unknown token type")
    http = inv.http()
    try:
        found = http.send(agent.update_acl_token(paths[0], token))
        if not found and paths[1]:
            found = http.send(agent.update_acl_token(paths[1], token))
        if not found:
            raise ApiError(404, "Unexpected response code: 404 (unknown token type)")
    except ApiError as exc:
        inv.out.error(f"Failed to set ACL token {go_quote(kind)}: {exc}")
        return EXIT_ERROR
    inv.out.info(f"ACL token {go_quote(kind)} set successfully")
    return EXIT_OK


COMMANDS: dict[str, Command] = command_table(
    Command(
        "bootstrap",
        BOOTSTRAP_FLAGS,
        run_bootstrap,
        usage="[FILE|-]",
        synopsis="Bootstrap Consul's ACL system",
        help="Ask Consul to create the first token, with unlimited privileges, and print it. "
        "This works once; the optional FILE (or - for stdin) holds the SecretID to use.",
    ),
    Command(
        "set-agent-token",
        SET_AGENT_TOKEN_FLAGS,
        run_set_agent_token,
        usage="TYPE TOKEN",
        synopsis="Assign tokens for the Consul Agent's usage",
        help="Set the agent's TYPE token (default, agent, recovery, replication, "
        "config_file_service_registration or dns). TOKEN may be @FILE or - for stdin.",
    ),
)
