"""``sockaddr``: the go-sockaddr pipeline grammar, its functions over fake hosts, this machine's
own addresses, and renders through both template engines and the real command."""

# ruff: noqa: E501
from __future__ import annotations

from pathlib import Path

import pytest

from templated.config import TemplateConfig
from templated.errors import RenderError
from templated.sockaddr import Call, Dot, Host, IfAddr, Pipe, evaluate, parse, sockaddr
from templated.sockaddr import host as sa
from templated.template import Template
from tests.templated.runner import KV, Templated

UP = "up|broadcast|multicast|running"
LOOP = "up|loopback|running"

# A host with a default interface (eth0), a second LAN, a down bridge, a CGNAT tunnel, a public
# uplink and loopback: the private/public/default choices all differ between them.
ADDRS = [
    IfAddr.make("lo", "127.0.0.1/8", LOOP),
    IfAddr.make("lo", "::1/128", LOOP),
    IfAddr.make("eth0", "10.0.0.5/24", UP),
    IfAddr.make("eth0", "fd12::5/64", UP),
    IfAddr.make("eth0", "2600:1f1c::5/64", UP),
    IfAddr.make("eth1", "192.168.1.9/16", UP),
    IfAddr.make("eth1", "fe80::1/64", UP),
    IfAddr.make("docker0", "172.17.0.1/16", "broadcast|multicast"),
    IfAddr.make("tun0", "100.64.0.7/10", "up|pointtopoint|running"),
    IfAddr.make("wan0", "34.1.2.3/20", UP),
]


def host(default: str | None = "eth0", addrs: list[IfAddr] | None = None) -> Host:
    chosen = ADDRS if addrs is None else addrs
    return Host(lambda: chosen, lambda: default)


def run(text: str, default: str | None = "eth0", addrs: list[IfAddr] | None = None) -> str:
    return evaluate(text, host(default, addrs))


# --- grammar -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("GetPrivateIP", Pipe((Call("GetPrivateIP"),))),
        ('GetInterfaceIP "eth0"', Pipe((Call("GetInterfaceIP", ("eth0",)),))),
        (
            'GetPrivateInterfaces | include "type" "IPv4" | sort "default" | limit 1 | attr "address"',
            Pipe(
                (
                    Call("GetPrivateInterfaces"),
                    Call("include", ("type", "IPv4")),
                    Call("sort", ("default",)),
                    Call("limit", (1,)),
                    Call("attr", ("address",)),
                )
            ),
        ),
        (". | offset -2|limit +1", Pipe((Dot(), Call("offset", (-2,)), Call("limit", (1,))))),
        (
            'include "name" `^eth\\d+$` (GetAllInterfaces | limit 2)',
            Pipe(
                (
                    Call(
                        "include",
                        (
                            "name",
                            "^eth\\d+$",
                            Pipe((Call("GetAllInterfaces"), Call("limit", (2,)))),
                        ),
                    ),
                )
            ),
        ),
        (
            'include "type" "IPv4" GetAllInterfaces',
            Pipe((Call("include", ("type", "IPv4", Call("GetAllInterfaces"))),)),
        ),
        ('"a\\"b\\tc\\x41\\u00e9\\101\\\\"', Pipe(('a"b\tcAéA\\',))),
        ("  42\n", Pipe((42,))),
    ],
)
def test_parse(text: str, tree: Pipe) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty template"),
        ("   ", "empty template"),
        ("GetAllInterfaces |", "missing command before 'the end'"),
        ("| limit 1", "missing command before '|'"),
        ('"x" "y"', "can't give arguments to the non-function 'x'"),
        ('GetAllInterfaces | "x"', "stage 2 of the pipeline is not a call"),
        ("(GetAllInterfaces", "unclosed left paren"),
        ("GetAllInterfaces)", "unexpected ')'"),
        ("{{ GetPrivateIP }}", "unexpected '{' at offset 0"),
        ("limit 1.5", "bad number '1.5'"),
        ('include "name" "^eth\\d$"', "unknown escape sequence \\d"),
        ('attr "address', "unexpected '\"'"),
    ],
)
def test_parse_errors(text: str, problem: str) -> None:
    with pytest.raises(RenderError) as err:
        parse(text)
    assert problem in str(err.value)
    assert str(err.value).startswith(f"sockaddr {text!r}: ")


# --- the helpers: private, public, default ------------------------------------------------------


def test_private_ip_prefers_the_default_interface_then_ipv4_then_larger_networks() -> None:
    assert run("GetPrivateIP") == "10.0.0.5"
    assert (
        run('GetPrivateInterfaces | join "address" " "')
        == "10.0.0.5 fd12::5 100.64.0.7 192.168.1.9"
    )
    # Without a default route (or with a public one) the order is type, then network size.
    assert run("GetPrivateIP", default=None) == "100.64.0.7"
    assert run("GetPrivateIP", default="wan0") == "100.64.0.7"
    # Down interfaces (docker0), loopback and link-local addresses are never candidates.
    assert "172.17.0.1" not in run('GetPrivateInterfaces | join "address" " "')
    # Only a non-forwardable private address: nothing.
    lonely = [IfAddr.make("eth0", "192.0.2.2/24", UP), *ADDRS[:2]]
    assert run("GetPrivateIP", addrs=lonely) == ""


def test_public_ip_follows_the_same_order() -> None:
    # The default interface's public IPv6 comes before another interface's public IPv4.
    assert run("GetPublicIP") == "2600:1f1c::5"
    assert run("GetPublicIP", default="wan0") == "34.1.2.3"
    assert run('GetPublicInterfaces | include "type" "IPv4" | attr "address"') == "34.1.2.3"
    assert run("GetPublicIP", addrs=ADDRS[:4]) == ""


def test_all_private_and_public_ips_ignore_the_default_route_and_up_flags() -> None:
    assert run("GetPrivateIPs") == "100.64.0.7 192.168.1.9 172.17.0.1 10.0.0.5 fd12::5"
    assert run("GetPublicIPs") == "34.1.2.3 2600:1f1c::5"
    assert run("GetPrivateIPs", addrs=[]) == ""


def test_default_interfaces() -> None:
    assert (
        run('GetDefaultInterfaces | join "string" " "') == "10.0.0.5/24 fd12::5/64 2600:1f1c::5/64"
    )
    assert run('GetDefaultInterfaces | attr "address"', default=None) == ""
    assert run('GetAllInterfaces | sort "default" | attr "name"', default="wan0") == "wan0"


def test_interface_ip_is_the_first_forwardable_address_of_matching_names() -> None:
    assert run('GetInterfaceIP "eth1"') == "192.168.1.9"
    assert run('GetInterfaceIP "^eth"') == "192.168.1.9"  # IPv4 first, then larger networks
    assert run('GetInterfaceIP "^lo$"') == ""  # go-sockaddr: loopback is not forwardable
    assert run('GetInterfaceIPs "^lo$"') == "127.0.0.1 ::1"
    assert run('GetInterfaceIPs "eth1"') == "192.168.1.9 fe80::1"
    assert run('GetInterfaceIP "nope"') == run('GetInterfaceIPs "nope"') == ""
    with pytest.raises(RenderError, match="bad name regexp"):
        run('GetInterfaceIP "("')


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pipeline", "names"),
    [
        ('include "flags" "loopback"', "127.0.0.1 ::1"),
        ('include "flag" "up|broadcast" | include "type" "ipv4"', "10.0.0.5 192.168.1.9 34.1.2.3"),
        ('exclude "flags" "up"', "172.17.0.1"),
        ('include "flags" "down"', "172.17.0.1"),
        ('include "flags" "point-to-point"', "100.64.0.7"),
        ('include "flags" "link-local unicast"', "fe80::1"),
        ('exclude "flags" "forwardable"', "127.0.0.1 ::1 fe80::1"),
        (
            'include "flags" "global unicast" | include "name" "eth0"',
            "10.0.0.5 fd12::5 2600:1f1c::5",
        ),
        ('include "type" "IPv6" | exclude "name" "^lo$"', "fd12::5 2600:1f1c::5 fe80::1"),
        ('include "type" "IPv4|IPv6" | include "name" "^lo$"', "127.0.0.1 ::1"),
        ('include "type" "unix"', ""),
        ('include "name" "^eth"', "10.0.0.5 fd12::5 2600:1f1c::5 192.168.1.9 fe80::1"),
        ('include "address" "^10\\\\."', "10.0.0.5"),
        ('include "address" "/16$"', "192.168.1.9 172.17.0.1"),
        ('include "network" "10.0.0.0/8|192.168.0.0/16"', "10.0.0.5 192.168.1.9"),
        ('include "network" "10.0.0.0/25"', ""),  # the address's whole network must fit
        ('include "network" "fd00::/8"', "fd12::5"),
        ('include "rfc" "1918"', "10.0.0.5 192.168.1.9 172.17.0.1"),
        ('include "rfcs" "6598|4193"', "fd12::5 100.64.0.7"),
        ('exclude "RFC" "6890"', "2600:1f1c::5 34.1.2.3"),
        ('include "size" "16"', "192.168.1.9 172.17.0.1"),
        ('include "type" "IPv6" | include "size" 128', "::1"),
        ('include "port" "^0$" | limit 1', "127.0.0.1"),
    ],
)
def test_include_and_exclude(pipeline: str, names: str) -> None:
    assert run(f'GetAllInterfaces | {pipeline} | join "address" " "') == names


@pytest.mark.parametrize(
    ("pipeline", "problem"),
    [
        ('include "colour" "red"', "invalid selector 'colour'"),
        ('exclude "type" "IPv5"', "unsupported type 'ipv5'"),
        ('include "flags" "up|shiny"', "unknown interface flag 'shiny'"),
        ('include "rfc" "9999"', "unsupported RFC '9999'"),
        ('include "rfc" "x"', "unsupported RFC 'x'"),
        ('include "network" "10.0.0.0/33"', "bad network '10.0.0.0/33'"),
        ('include "size" "33"', "mask size 33 is out of bounds for IPv4"),
        ('include "size" "x"', "bad size 'x'"),
        ('include "name" "("', "bad name regexp '('"),
    ],
)
def test_filter_errors_name_the_problem(pipeline: str, problem: str) -> None:
    with pytest.raises(RenderError, match="sockaddr") as err:
        run(f'GetAllInterfaces | {pipeline} | attr "address"')
    assert problem in str(err.value)


def test_filters_check_their_arguments_even_on_empty_lists() -> None:
    with pytest.raises(RenderError, match="unknown interface flag"):
        run('GetAllInterfaces | limit 0 | include "flags" "shiny" | attr "name"')


# --- sort, unique, limit, offset ----------------------------------------------------------------

LO0 = [
    IfAddr.make("lo0", "127.0.0.1/8", "up|loopback|multicast"),
    IfAddr.make("lo0", "::1/128", "up|loopback|multicast"),
    IfAddr.make("lo0", "fe80::1/64", "up|loopback|multicast"),
    IfAddr.make("en0", "192.168.0.102/24", "up|broadcast|multicast"),
    IfAddr.make("en0", "fe80::2b:112f:ce21:7b6f/64", "up|broadcast|multicast"),
]


@pytest.mark.parametrize(
    ("pipeline", "out"),
    [
        (
            'include "name" "lo0" | sort "type,address" | join "address" " "',
            "127.0.0.1 ::1 fe80::1",
        ),
        (
            'include "name" "lo0" | sort "type,-address" | join "address" " "',
            "127.0.0.1 fe80::1 ::1",
        ),
        (
            'include "name" "lo0" | include "flag" "up" | sort "-type,+address" | attr "address"',
            "::1",
        ),
        ('sort "name" | unique "name" | join "name" " "', "en0 lo0"),
        (
            'sort "-name,size" | join "string" " "',
            "127.0.0.1/8 fe80::1/64 ::1 192.168.0.102/24 fe80::2b:112f:ce21:7b6f/64",
        ),
        ('sort " type , +size " | join "mask_bits" " "', "8 24 64 64 128"),
        ('include "type" "IPv6" | sort "-size" | join "mask_bits" " "', "128 64 64"),
        ('sort "port" | attr "address"', "127.0.0.1"),
        (
            'sort "type,address" | join "address" " "',
            "127.0.0.1 192.168.0.102 ::1 fe80::1 fe80::2b:112f:ce21:7b6f",
        ),
        ('include "type" "IPv6" | sort "address" | limit 1 | attr "address"', "::1"),
        ('offset 1 | limit 2 | join "address" " "', "::1 fe80::1"),
        ('offset -2 | limit 1 | attr "name"', "en0"),
        ('offset "-1" | attr "address"', "fe80::2b:112f:ce21:7b6f"),
        ('limit "2" | join "address" ","', "127.0.0.1,::1"),
        ('limit 99 | join "name" ","', "lo0,lo0,lo0,en0,en0"),
        ('limit 0 | join "name" ","', ""),
    ],
)
def test_sort_unique_limit_offset(pipeline: str, out: str) -> None:
    assert run(f". | {pipeline}", default=None, addrs=LO0) == out


def test_sort_default_puts_the_default_interface_first() -> None:
    assert run('. | sort "default" | attr "name"', default="en0", addrs=LO0) == "en0"
    assert run('. | sort "-default" | attr "name"', default="lo0", addrs=LO0) == "en0"


def test_sort_private_first_or_last() -> None:
    assert run('. | sort "private" | attr "address"') == "127.0.0.1"
    assert run('. | sort "-private" | join "address" " "').startswith("2600:1f1c::5 34.1.2.3 ")


def test_unique_drops_repeats_next_to_each_other() -> None:
    addrs = [*LO0, LO0[0], LO0[3]]
    assert run('. | sort "type,address" | unique "address" | join "address" " "', addrs=addrs) == (
        "127.0.0.1 192.168.0.102 ::1 fe80::1 fe80::2b:112f:ce21:7b6f"
    )
    assert run('. | unique "NAME" | join "name" " "', addrs=addrs) == "lo0 en0 lo0 en0"


@pytest.mark.parametrize(
    ("pipeline", "problem"),
    [
        ('sort "fastest"', "unknown sort type 'fastest'"),
        ('unique "flags"', "unsupported unique constraint 'flags'"),
        ("offset 6", "offset 6 is past the end of the 5 addresses"),
        ("offset -6", "offset -6 is past the end"),
        ("limit -1", "limit -1: want a count of 0 or more"),
        ('limit "many"', "limit wants a number, got 'many'"),
    ],
)
def test_list_operation_errors(pipeline: str, problem: str) -> None:
    with pytest.raises(RenderError) as err:
        run(f'. | {pipeline} | attr "name"', addrs=LO0)
    assert problem in str(err.value)


# --- math --------------------------------------------------------------------------------------

LO0_IP = '. | include "name" "^lo0$" | include "type" "IP"'


@pytest.mark.parametrize(
    ("pipeline", "out"),
    [
        (
            'math "address" "+2" | sort "+type,+address" | join "address" " "',
            "127.0.0.3 ::3 fe80::3",
        ),
        (
            'math "address" "+4294967294" | sort "+type,+address" | join "address" " "',
            "126.255.255.255 ::ffff:ffff fe80::ffff:ffff",
        ),
        (
            'math "address" "-256" | sort "+type,+address" | join "address" " "',
            "126.255.255.1 fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ff01 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff01",
        ),
        (
            'math "address" "-4278190082" | sort "+type,+address" | join "address" " "',
            "127.255.255.255 fe7f:ffff:ffff:ffff:ffff:ffff:ff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ff:ffff",
        ),
        (
            'math "network" "+2" | sort "+type,+address" | join "address" " "',
            "127.0.0.2 ::1 fe80::2",
        ),
        (
            'math "network" "+4278255368" | sort "+type,+address" | join "address" " "',
            "127.0.255.8 ::1 fe80::ff00:ff08",
        ),
        (
            'math "network" "-2" | sort "+type,+address" | join "address" " "',
            "127.255.255.254 ::1 fe80::ffff:ffff:ffff:fffe",
        ),
        (
            'sort "+type,+address" | math "network" "-4278190088" | join "address" " "',
            "127.255.255.248 ::1 fe80::ffff:ffff:ff:fff8",
        ),
        (
            'math "address" "+16777217" | sort "+type,+address" | join "network" " "',
            "128.0.0.0 ::100:2 fe80::",
        ),
        (
            'math "address" "+16777217" | sort "+type,+address" | join "size" " "',
            "16777216 1 18446744073709551616",
        ),
        ('math "mask" "4" | join "string" " "', "112.0.0.0/4 ::/4 f000::/4"),
    ],
)
def test_math(pipeline: str, out: str) -> None:
    assert run(f"{LO0_IP} | {pipeline}", addrs=LO0) == out


def test_math_mask_keeps_the_larger_network() -> None:
    addrs = [IfAddr.make("eth0", "192.168.10.20/24", UP)]
    assert run('. | math "mask" "16" | attr "string"', addrs=addrs) == "192.168.0.0/16"
    assert run('. | math "mask" "28" | attr "string"', addrs=addrs) == "192.168.10.16/24"


@pytest.mark.parametrize(
    ("pipeline", "problem"),
    [
        ('math "address" "2"', "needs a sign"),
        ('math "network" "+x"', "bad value '+x'"),
        ('math "address" "+4294967296"', "bad value"),
        ('math "mask" "33"', "want 0 to 32 mask bits"),
        ('math "rotate" "+1"', "unsupported math operation 'rotate'"),
    ],
)
def test_math_errors(pipeline: str, problem: str) -> None:
    with pytest.raises(RenderError) as err:
        run(f'. | include "type" "IPv4" | {pipeline} | attr "address"', addrs=LO0)
    assert problem in str(err.value)


# --- attributes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "attr", "value"),
    [
        ("10.0.0.5/24", "address", "10.0.0.5"),
        ("10.0.0.5/24", "ADDRESS", "10.0.0.5"),
        ("10.0.0.5/24", "host", "10.0.0.5"),
        ("10.0.0.5/24", "name", "eth0"),
        ("10.0.0.5/24", "flags", UP),
        ("10.0.0.5/24", "type", "IPv4"),
        ("10.0.0.5/24", "string", "10.0.0.5/24"),
        ("10.0.0.5/32", "string", "10.0.0.5"),
        ("10.0.0.5/24", "network", "10.0.0.0"),
        ("10.0.0.5/24", "netmask", "255.255.255.0"),
        ("10.0.0.5/24", "mask_bits", "24"),
        ("10.0.0.5/24", "size", "256"),
        ("10.0.0.5/24", "broadcast", "10.0.0.255"),
        ("10.0.0.5/24", "first_usable", "10.0.0.1"),
        ("10.0.0.5/24", "last_usable", "10.0.0.254"),
        ("10.0.0.5/31", "first_usable", "10.0.0.4"),
        ("10.0.0.5/31", "last_usable", "10.0.0.5"),
        ("10.0.0.5/24", "hex", "0a000005"),
        ("10.0.0.5/24", "binary", "00001010000000000000000000000101"),
        ("10.0.0.5/24", "octets", "10 0 0 5"),
        ("10.0.0.5/24", "uint32", "167772165"),
        ("10.0.0.5/24", "port", "0"),
        ("fd12::5/64", "type", "IPv6"),
        ("fd12::5/64", "string", "fd12::5/64"),
        ("::1/128", "string", "::1"),
        ("fd12::5/64", "netmask", "ffff:ffff:ffff:ffff::"),
        ("fd12::5/64", "network", "fd12::"),
        ("fd12::5/64", "size", "18446744073709551616"),
        ("fd12::5/64", "first_usable", "fd12::"),
        ("fd12::5/64", "last_usable", "fd12::ffff:ffff:ffff:ffff"),
        ("fd12::5/64", "hex", "fd120000000000000000000000000005"),
        ("fd12::5/64", "uint128", str(0xFD120000000000000000000000000005)),
        ("fd12::5/64", "octets", "253 18 0 0 0 0 0 0 0 0 0 0 0 0 0 5"),
    ],
)
def test_attributes(cidr: str, attr: str, value: str) -> None:
    addrs = [IfAddr.make("eth0", cidr, UP)]
    assert run(f'GetAllInterfaces | attr "{attr}"', addrs=addrs) == value
    assert run(f'GetAllInterfaces | Attr "{attr}"', addrs=addrs) == value
    assert run(f'GetAllInterfaces | join "{attr}" ","', addrs=addrs * 2) == f"{value},{value}"


def test_interface_without_flags_prints_zero() -> None:
    assert run('. | attr "flags"', addrs=[IfAddr.make("x", "10.0.0.1/8", "")]) == "0"


@pytest.mark.parametrize(
    ("cidr", "attr", "problem"),
    [
        ("fd12::5/64", "broadcast", "attribute 'broadcast' does not apply to an IPv6 address"),
        ("fd12::5/64", "uint32", "does not apply to an IPv6 address"),
        ("10.0.0.5/24", "uint128", "does not apply to an IPv4 address"),
        ("10.0.0.5/24", "mac", "unsupported attribute name 'mac' (known: address, binary"),
    ],
)
def test_attribute_errors(cidr: str, attr: str, problem: str) -> None:
    with pytest.raises(RenderError) as err:
        run(f'. | join "{attr}" " "', addrs=[IfAddr.make("eth0", cidr, UP)])
    assert problem in str(err.value)


def test_attr_and_join_of_nothing_are_empty() -> None:
    assert run('GetAllInterfaces | attr "address"', addrs=[]) == ""
    assert run('GetAllInterfaces | join "whatever" " "', addrs=[]) == ""


# --- evaluation errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "GetPrivateInterface",
            "function 'GetPrivateInterface' is not defined (known: GetAllInterfaces",
        ),
        ("GetAllInterfaces | len", "function 'len' is not defined"),
        (
            "GetAllInterfaces",
            "the pipeline ends in a list of addresses: finish it with attr or join",
        ),
        (
            'GetAllInterfaces | include "type"',
            "wrong number of arguments for include: want 3, got 2",
        ),
        ('GetPrivateIP "eth0"', "wrong number of arguments for GetPrivateIP: want 0, got 1"),
        (
            'GetPrivateIP | include "type" "IPv4"',
            "include wants a list of addresses, got '10.0.0.5'",
        ),
        ("GetAllInterfaces | attr (GetAllInterfaces)", "attr wants a string, got a list"),
    ],
)
def test_evaluation_errors(text: str, problem: str) -> None:
    with pytest.raises(RenderError) as err:
        run(text)
    assert problem in str(err.value)


def test_literals_and_numbers_pass_through() -> None:
    assert run('"plain"') == "plain"
    assert run("7") == "7"
    assert run('GetInterfaceIP ("eth1")') == "192.168.1.9"
    assert run('include "size" 24 . | attr "name"') == "eth0"


def test_one_evaluation_reads_the_host_once() -> None:
    calls: list[str] = []

    def interfaces() -> list[IfAddr]:
        calls.append("interfaces")
        return ADDRS

    def default() -> str:
        calls.append("default")
        return "eth0"

    text = 'GetPrivateInterfaces | sort "default,-default" | join "address" " "'
    assert evaluate(text, Host(interfaces, default)).startswith("10.0.0.5")
    assert calls == ["interfaces", "default"]


# --- this machine ------------------------------------------------------------------------------


def test_loopback_of_this_machine() -> None:
    found = sa.system_interfaces()
    lo = [a for a in found if str(a.address) == "127.0.0.1/8"]
    assert lo and "loopback" in lo[0].flags and "up" in lo[0].flags
    assert (
        evaluate(
            'GetAllInterfaces | include "flags" "loopback" | include "type" "IPv4" | attr "address"'
        )
        == "127.0.0.1"
    )
    loopback = lo[0].name
    assert evaluate(f'GetInterfaceIPs "^{loopback}$"').split()[0] == "127.0.0.1"
    assert evaluate(f'GetInterfaceIP "^{loopback}$"') == ""  # not forwardable, as in go-sockaddr
    assert sockaddr("GetInterfaceIPs", f'"^{loopback}$"').startswith("127.0.0.1")


def test_address_sources_of_this_machine_agree() -> None:
    netlink = {(name, str(addr)) for _, name, addr in sa._netlink_addresses()}
    ioctl = {(name, str(addr)) for _, name, addr in sa._ioctl_addresses()}
    assert ("lo", "127.0.0.1/8") in netlink
    assert ioctl <= netlink  # the fallback sees primary addresses only
    assert {(a.name, str(a.address)) for a in sa.system_interfaces()} == netlink


def test_default_route_of_this_machine_names_an_interface() -> None:
    name = sa.default_route_interface()
    named = {a.name for a in sa.system_interfaces()}
    if name is None:
        assert evaluate('GetDefaultInterfaces | attr "name"') == ""
    elif name in named:  # (an interface without addresses has no entries)
        assert evaluate('GetDefaultInterfaces | unique "name" | join "name" " "') == name


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()]


ZEROS = "0" * 32


def test_default_route_prefers_the_lowest_metric_then_ipv6(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = {
        "/proc/net/route": rows("""
            Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
            eth1 00000000 0101A8C0 0003 0 0 200 00000000 0 0 0
            eth0 00000000 010200C0 0003 0 0 100 00000000 0 0 0
            eth2 00000000 010200C0 0002 0 0 0 00000000 0 0 0
            eth3 000200C0 00000000 0001 0 0 0 00FFFFFF 0 0 0
        """),  # eth2's route is not up, eth3's is not a default
        "/proc/net/ipv6_route": [],
    }
    monkeypatch.setattr(sa, "_proc_rows", lambda path: tables[path])
    assert sa.default_route_interface() == "eth0"
    tables["/proc/net/route"] = tables["/proc/net/route"][3:]
    tables["/proc/net/ipv6_route"] = rows(f"""
        {ZEROS} 00 {ZEROS} 00 {ZEROS} ffffffff 00000001 00000000 00200200 lo
        {ZEROS} 00 {ZEROS} 00 fe800000000000000000000000000001 00000400 00000001 00000000 00450003 wlan0
        fd120000000000000000000000000000 40 {ZEROS} 00 {ZEROS} 00000100 00000001 00000000 00000001 eth0
    """)  # lo's is a reject route, eth0's is not a default
    assert sa.default_route_interface() == "wlan0"
    tables["/proc/net/ipv6_route"] = []
    assert sa.default_route_interface() is None


# --- through the template engines --------------------------------------------------------------


def render(text: str, name: str, **config: object) -> tuple[str | None, RenderError | None]:
    template = Template(TemplateConfig(destination="out", source=name, **config), text)  # type: ignore[arg-type]
    outcome = template.render(lambda dep: (False, None))
    return outcome.content, outcome.error


LOOPBACK_V4 = (
    'GetAllInterfaces | include "flags" "loopback" | include "type" "IPv4" | attr "address"'
)


def test_go_syntax_quoting_styles() -> None:
    escaped = LOOPBACK_V4.replace('"', '\\"')
    assert render(f'{{{{ sockaddr "{escaped}" }}}}\n', "t.ctmpl") == ("127.0.0.1\n", None)
    assert render(f"{{{{ sockaddr `{LOOPBACK_V4}` }}}}", "t.ctmpl") == ("127.0.0.1", None)
    # consul-template joins the arguments with spaces.
    joined = render('{{ sockaddr "GetInterfaceIPs" "\\"^lo$\\"" }}', "t.ctmpl")
    assert joined == render('{{ sockaddr `GetInterfaceIPs "^lo$"` }}', "t.ctmpl")
    assert joined[0] and joined[0].startswith("127.0.0.1")


def test_jinja_function_and_filter() -> None:
    text = "{{ sockaddr('" + LOOPBACK_V4 + "') }} {{ '" + LOOPBACK_V4 + "' | sockaddr }}"
    assert render(text, "t.j2") == ("127.0.0.1 127.0.0.1", None)


def test_engine_errors_name_the_problem() -> None:
    content, error = render('{{ sockaddr "GetAllInterfaces | attr \\"mac\\"" }}', "t.ctmpl")
    assert content is None and error is not None
    assert "t.ctmpl:1" in str(error) and "unsupported attribute name 'mac'" in str(error)
    content, error = render("{{ sockaddr('GetPrivateIPz') }}", "t.j2")
    assert content is None and "function 'GetPrivateIPz' is not defined" in str(error)


def test_function_denylist_covers_sockaddr() -> None:
    content, error = render(
        '{{ sockaddr "GetPrivateIP" }}', "t.ctmpl", function_denylist=("sockaddr",)
    )
    assert content is None and "denied" in str(error)


def test_rendered_once_by_the_command(tpl: Templated, kv: KV, tmp_path: Path) -> None:
    kv.put("app/port", "8300")
    escaped = LOOPBACK_V4.replace('"', '\\"')
    (tmp_path / "bind.ctmpl").write_text(
        f'bind = "{{{{ sockaddr "{escaped}" }}}}:{{{{ key "app/port" }}}}"\n'
        '{{ $ips := sockaddr `GetInterfaceIPs "^lo$"` }}first = "{{ index (split " " $ips) 0 }}"\n'
    )
    (tmp_path / "bind.j2").write_text(
        "bind = \"{{ sockaddr('" + LOOPBACK_V4 + "') }}:{{ key('app/port') }}\"\n"
        '{% set ips = \'GetAllInterfaces | include "name" "^lo$" | sort "type" | join "address" " "\' | sockaddr %}'
        'first = "{{ ips.split()[0] }}"\n'
    )
    result = tpl("-template", "bind.ctmpl:go.conf", "-template", "bind.j2:jinja.conf", "-once")
    assert result.returncode == 0, result.stderr
    expected = 'bind = "127.0.0.1:8300"\nfirst = "127.0.0.1"\n'
    assert (tmp_path / "go.conf").read_text() == expected
    assert (tmp_path / "jinja.conf").read_text() == expected
    (tmp_path / "bad.ctmpl").write_text(
        '{{ sockaddr "GetAllInterfaces | sort \\"fastest\\" | attr \\"address\\"" }}'
    )
    bad = tpl("-template", "bad.ctmpl:bad.conf", "-once")
    assert bad.returncode == 14 and "unknown sort type 'fastest'" in bad.stderr
