"""consul-template's ``sockaddr``: a go-sockaddr template evaluated over this host's addresses.

``{{ sockaddr "GetPrivateInterfaces | include \\"type\\" \\"IPv4\\" | attr \\"address\\"" }}``
renders the first private IPv4 address. consul-template joins its arguments with spaces, wraps
them in ``{{ }}`` and evaluates that as a go-sockaddr template; here the text is one pipeline,
read by :func:`parse` and run by :func:`evaluate`::

    pipeline := command ("|" command)*
    command  := operand+        a function and its arguments; a piped value is the last argument
    operand  := NAME | "string" | `raw string` | integer | "." | "(" pipeline ")"

A NAME as an argument is a call without arguments; ``.`` is every address of the host (the
"dot" go-sockaddr starts from). The functions are go-sockaddr's, with its names and meaning:

- sources, lists of addresses: ``GetAllInterfaces``, ``GetDefaultInterfaces`` (the addresses of
  the interface holding the default route), ``GetPrivateInterfaces`` / ``GetPublicInterfaces``
  (forwardable addresses of interfaces that are up, inside / outside RFC 6890, those of the
  default interface first, then IPv4 before IPv6, then larger networks first);
- strings: ``GetPrivateIP``, ``GetPublicIP`` (the first of the lists above, or ""),
  ``GetPrivateIPs``, ``GetPublicIPs`` (every such address of any interface, space-separated),
  ``GetInterfaceIP "re"`` (the first forwardable address of the interfaces whose name matches
  the regexp: a loopback-only interface gives ""), ``GetInterfaceIPs "re"`` (all of them);
- on lists: ``include``/``exclude SELECTOR VALUE`` (``address``, ``name``, ``flag(s)``,
  ``network``, ``port``, ``rfc(s)``, ``size``, ``type``; ``|`` joins several values),
  ``sort "default,-type,size,+address"``, ``unique "address|name"``, ``limit N``,
  ``offset N`` (negative: from the end), ``math "address|network|mask" VALUE``,
  ``attr NAME`` (of the first address, "" for none), ``join NAME SEP``.

Differences: a pipeline must end in a string (``attr``, ``join`` or a ``Get...IP`` helper);
Go's other template syntax (``range``, variables, builtins like ``len``) is not read; no default
route makes ``GetDefaultInterfaces`` empty rather than an error; the flag ``down`` means "not up".
Errors are :class:`~templated.errors.RenderError` naming the function, selector or attribute.
"""

from __future__ import annotations

from typing import Any

from templated.sockaddr.addrs import IfAddr
from templated.sockaddr.host import Host, default_route_interface, system_interfaces
from templated.sockaddr.parse import Call, Dot, Pipe, parse
from templated.sockaddr.run import Run

__all__ = [
    "Call",
    "Dot",
    "Host",
    "IfAddr",
    "Pipe",
    "default_route_interface",
    "evaluate",
    "parse",
    "sockaddr",
    "system_interfaces",
]


def evaluate(text: str, host: Host | None = None) -> str:
    """Run a go-sockaddr template (without its ``{{ }}``) over ``host`` (this machine's)."""
    pipe = parse(text)
    run = Run(text, host or Host())
    result = run.run(pipe)
    if isinstance(result, list):
        raise run.fail("the pipeline ends in a list of addresses: finish it with attr or join")
    return str(result)


def sockaddr(*args: Any) -> str:
    """consul-template's ``sockaddr``: the arguments, joined by spaces, as one template."""
    return evaluate(" ".join(str(a) for a in args))
