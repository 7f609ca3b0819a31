"""consul-template's helper functions with its names and argument order: pure, except that
``sockaddr`` reads the host's addresses and ``spew_dump``/``spew_printf`` write to stderr.
(``plugin`` and ``writeToFile`` depend on the template's settings: :mod:`templated.helpers_io`.)

Arguments come in Go's pipeline order: the piped value is the *last* argument, so
``{{ key "a" | split "," }}`` is ``split(",", value)``. The Jinja2 engine also offers each one as
a filter taking the value first (``value | split(",")``). ``FUNCS`` maps the snake_case name to
the function; ``ALIASES`` maps consul-template's camelCase names onto them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import yaml

from cnslkit.watch.records import HealthService, KeyPair
from templated.nested import execute_template
from templated.plain import plain
from templated.sockaddr import sockaddr
from templated.spew import spew_dump, spew_printf, spew_sdump, spew_sprintf
from templated.toml_writer import to_toml

__all__ = ["ALIASES", "FUNCS", "plain"]


# --- grouping ----------------------------------------------------------------------------------


def by_key(pairs: Iterable[KeyPair]) -> dict[str, dict[str, KeyPair]]:
    """Tree entries grouped by their first path segment, keyed by the rest of the key."""
    out: dict[str, dict[str, KeyPair]] = {}
    for pair in pairs:
        top, _, rest = pair.Key.partition("/")
        if not rest:
            continue
        out.setdefault(top, {})[rest] = KeyPair(**{**plain_fields(pair), "Key": rest})
    return out


def plain_fields(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


def by_tag(services: Iterable[Any]) -> dict[str, list[Any]]:
    """Services grouped by each of their tags (a service appears under every tag it has)."""
    out: dict[str, list[Any]] = {}
    for svc in services:
        for tag in getattr(svc, "Tags", ()) or ():
            out.setdefault(tag, []).append(svc)
    return dict(sorted(out.items()))


def by_port(services: Iterable[Any] | None) -> dict[int, list[Any]]:
    """Services grouped by port number (``.Port``, or ``.ServicePort`` of catalog entries)."""
    out: dict[int, list[Any]] = {}
    for svc in services or ():
        port = _port(svc)
        if port is None:
            raise TypeError(f"byPort: {type(svc).__name__} has no port")
        out.setdefault(port, []).append(svc)
    return dict(sorted(out.items()))


def _port(svc: Any) -> int | None:
    for name in ("Port", "ServicePort"):
        value = svc.get(name) if isinstance(svc, Mapping) else getattr(svc, name, None)
        if value is not None:
            return int(value)
    return None


def by_meta(meta_keys: str, services: Iterable[HealthService]) -> dict[str, list[HealthService]]:
    """Services grouped by the values of the given ServiceMeta keys, joined by ``_``."""
    keys = [k.split("|")[0].strip() for k in meta_keys.split(",") if k.strip()]
    out: dict[str, list[HealthService]] = {}
    for svc in services:
        group = "_".join(svc.ServiceMeta.get(k, "") for k in keys)
        out.setdefault(group, []).append(svc)
    return out


def explode(pairs: Iterable[KeyPair]) -> dict[str, Any]:
    """Keys ``a/b/c`` as nested maps ``{"a": {"b": {"c": value}}}``."""
    root: dict[str, Any] = {}
    for pair in pairs:
        parts = [p for p in pair.Key.split("/") if p]
        if not parts:
            continue
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if pair.Key.endswith("/"):
            node.setdefault(parts[-1], {})
        else:
            node[parts[-1]] = pair.Value
    return root


def explode_map(mapping: Mapping[str, Any]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in mapping.items():
        parts = [p for p in str(key).split("/") if p]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts:
            node[parts[-1]] = value
    return root


# --- strings -----------------------------------------------------------------------------------


def split(sep: str, text: str) -> list[str]:
    return [] if text == "" else text.split(sep)


def join(sep: str, items: Iterable[Any]) -> str:
    return sep.join(str(i) for i in items)


def indent(spaces: int, text: str) -> str:
    pad = " " * int(spaces)
    return "\n".join(pad + line if line else line for line in str(text).split("\n"))


def split_to_map(sep: str, kv_sep: str, text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in split(sep, text):
        k, _, v = item.partition(kv_sep)
        out[k] = v
    return out


def replace_all(old: str, new: str, text: str) -> str:
    return str(text).replace(old, new)


def regex_match(pattern: str, text: str) -> bool:
    return re.search(pattern, str(text)) is not None


def regex_replace_all(pattern: str, repl: str, text: str) -> str:
    # Go's $1 / ${1} become Python's \g<1>.
    py_repl = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", repl)
    return re.sub(pattern, py_repl, str(text))


def trim(cutset: str, text: str) -> str:
    return str(text).strip(cutset)


def trim_prefix(prefix: str, text: str) -> str:
    return str(text).removeprefix(prefix)


def trim_suffix(suffix: str, text: str) -> str:
    return str(text).removesuffix(suffix)


def to_title(text: str) -> str:
    return re.sub(r"\b\w", lambda m: m.group(0).upper(), str(text))


# --- membership --------------------------------------------------------------------------------


def contains(needle: Any, haystack: Any) -> bool:
    return needle in (haystack or ())


def in_(haystack: Any, needle: Any) -> bool:
    return needle in (haystack or ())


def contains_all(needles: Iterable[Any], haystack: Any) -> bool:
    return all(n in haystack for n in needles)


def contains_any(needles: Iterable[Any], haystack: Any) -> bool:
    return any(n in haystack for n in needles)


def contains_none(needles: Iterable[Any], haystack: Any) -> bool:
    return not contains_any(needles, haystack)


def contains_not_all(needles: Iterable[Any], haystack: Any) -> bool:
    return not contains_all(needles, haystack)


# --- parsing and serialising -------------------------------------------------------------------


def parse_json(text: str) -> Any:
    return json.loads(text) if str(text).strip() else {}


def parse_yaml(text: str) -> Any:
    return yaml.safe_load(text) if str(text).strip() else {}


def parse_bool(text: str) -> bool:
    value = str(text).strip().lower()
    if value in ("1", "t", "true"):
        return True
    if value in ("0", "f", "false"):
        return False
    raise ValueError(f"parseBool: invalid syntax: {text!r}")


def parse_int(text: Any) -> int:
    return int(str(text).strip(), 0)


def parse_float(text: Any) -> float:
    return float(str(text).strip())


def to_json(value: Any) -> str:
    return json.dumps(plain(value), separators=(",", ":"), sort_keys=True)


def to_json_pretty(value: Any) -> str:
    return json.dumps(plain(value), indent=2, sort_keys=True)


def to_unescaped_json(value: Any) -> str:
    return json.dumps(plain(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def to_yaml(value: Any) -> str:
    text = yaml.safe_dump(plain(value), default_flow_style=False, sort_keys=True)
    return str(text).rstrip("\n")


def base64_encode(text: str) -> str:
    return base64.b64encode(str(text).encode()).decode()


def base64_decode(text: str) -> str:
    return base64.b64decode(str(text)).decode("utf-8", "replace")


def base64_url_encode(text: str) -> str:
    return base64.urlsafe_b64encode(str(text).encode()).decode()


def base64_url_decode(text: str) -> str:
    return base64.urlsafe_b64decode(str(text)).decode("utf-8", "replace")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(str(text).encode()).hexdigest()


def md5sum(text: str) -> str:
    return hashlib.md5(str(text).encode()).hexdigest()


def hmac_sha256_hex(message: str, key: str) -> str:
    return hmac.new(str(key).encode(), str(message).encode(), hashlib.sha256).hexdigest()


# --- time --------------------------------------------------------------------------------------

_GO_LAYOUT = (
    ("2006", "%Y"), ("January", "%B"), ("Jan", "%b"), ("Monday", "%A"), ("Mon", "%a"),
    ("MST", "%Z"), ("01", "%m"), ("02", "%d"), ("15", "%H"), ("03", "%I"), ("04", "%M"),
    ("05", "%S"), ("06", "%y"), ("PM", "%p"), ("-0700", "%z"), ("Z07:00", "Z"),
)  # fmt: skip


def go_layout(layout: str) -> str:
    """A Go time layout (``2006-01-02 15:04:05``) as an strftime format."""
    out, i = [], 0
    while i < len(layout):
        for go, py in _GO_LAYOUT:
            if layout.startswith(go, i):
                out.append(py)
                i += len(go)
                break
        else:
            out.append(layout[i].replace("%", "%%"))
            i += 1
    return "".join(out)


def timestamp(fmt: str = "", now: datetime | None = None) -> str:
    """UTC now: RFC 3339 by default, ``"unix"`` for seconds, else a Go layout."""
    moment = now or datetime.now(UTC)
    if fmt == "unix":
        return str(int(moment.timestamp()))
    if not fmt:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime(go_layout(fmt))


# --- environment -------------------------------------------------------------------------------


def env(name: str) -> str:
    return os.environ.get(name, "")


def must_env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ValueError(f"mustEnv: environment variable {name!r} is not set or empty")
    return value


def env_or_default(name: str, default: str) -> str:
    return os.environ.get(name) or default


# --- maths, in pipeline order: {{ 10 | divide 2 }} is 5 -----------------------------------------


def _number(value: Any) -> int | float:
    if isinstance(value, int | float):
        return value
    text = str(value)
    return float(text) if any(c in text for c in ".eE") else int(text)


def add(b: Any, a: Any) -> int | float:
    return _number(a) + _number(b)


def subtract(b: Any, a: Any) -> int | float:
    return _number(a) - _number(b)


def multiply(b: Any, a: Any) -> int | float:
    return _number(a) * _number(b)


def divide(b: Any, a: Any) -> int | float:
    x, y = _number(a), _number(b)
    if isinstance(x, int) and isinstance(y, int):
        return int(x / y) if y else math.inf
    return x / y


def modulo(b: Any, a: Any) -> int | float:
    return _number(a) % _number(b)


def minimum(b: Any, a: Any) -> int | float:
    return min(_number(a), _number(b))


def maximum(b: Any, a: Any) -> int | float:
    return max(_number(a), _number(b))


def loop(*args: Any) -> list[int]:
    """``loop 3`` -> 0 1 2; ``loop 1 4`` -> 1 2 3."""
    numbers = [int(_number(a)) for a in args]
    return list(range(*numbers))


def merge_map(over: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    return {**over, **base}


def merge_map_with_override(over: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    return {**base, **over}


FUNCS: dict[str, Callable[..., Any]] = {
    "by_key": by_key,
    "by_tag": by_tag,
    "by_port": by_port,
    "by_meta": by_meta,
    "explode": explode,
    "explode_map": explode_map,
    "split": split,
    "join": join,
    "indent": indent,
    "split_to_map": split_to_map,
    "replace_all": replace_all,
    "regex_match": regex_match,
    "regex_replace_all": regex_replace_all,
    "trim": trim,
    "trim_prefix": trim_prefix,
    "trim_suffix": trim_suffix,
    "trim_space": lambda text: str(text).strip(),
    "to_lower": lambda text: str(text).lower(),
    "to_upper": lambda text: str(text).upper(),
    "to_title": to_title,
    "contains": contains,
    "contains_all": contains_all,
    "contains_any": contains_any,
    "contains_none": contains_none,
    "contains_not_all": contains_not_all,
    "in": in_,
    "parse_json": parse_json,
    "parse_yaml": parse_yaml,
    "parse_bool": parse_bool,
    "parse_int": parse_int,
    "parse_uint": parse_int,
    "parse_float": parse_float,
    "to_json": to_json,
    "to_json_pretty": to_json_pretty,
    "to_unescaped_json": to_unescaped_json,
    "to_unescaped_json_pretty": lambda v: json.dumps(plain(v), indent=2, ensure_ascii=False),
    "to_yaml": to_yaml,
    "to_toml": to_toml,
    "base64_encode": base64_encode,
    "base64_decode": base64_decode,
    "base64_url_encode": base64_url_encode,
    "base64_url_decode": base64_url_decode,
    "sha256_hex": sha256_hex,
    "md5sum": md5sum,
    "hmac_sha256_hex": hmac_sha256_hex,
    "timestamp": timestamp,
    "env": env,
    "must_env": must_env,
    "env_or_default": env_or_default,
    "add": add,
    "subtract": subtract,
    "multiply": multiply,
    "divide": divide,
    "modulo": modulo,
    "minimum": minimum,
    "maximum": maximum,
    "loop": loop,
    "merge_map": merge_map,
    "merge_map_with_override": merge_map_with_override,
    "sockaddr": sockaddr,
    "execute_template": execute_template,
    "spew_dump": spew_dump,
    "spew_sdump": spew_sdump,
    "spew_printf": spew_printf,
    "spew_sprintf": spew_sprintf,
}


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    words = [w.upper() if w in ("json", "yaml", "url", "toml") else w.capitalize() for w in rest]
    return head + "".join(words)


ALIASES: dict[str, str] = {camel_case(n): n for n in FUNCS if "_" in n}
ALIASES.update({"toJSON": "to_json", "toJSONPretty": "to_json_pretty", "toYAML": "to_yaml"})
ALIASES.update({"parseJSON": "parse_json", "parseYAML": "parse_yaml", "sha256Hex": "sha256_hex"})
ALIASES["hmacSHA256Hex"] = "hmac_sha256_hex"
