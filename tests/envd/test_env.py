from __future__ import annotations

from cnslkit.watch.records import HealthService, KeyPair
from envd.env import ServiceFormats, dotenv, name, prefix_environment, service_environment
from envd.nameformat import KEY, SERVICE, compile_format


def pair(key: str, value: str = "v") -> KeyPair:
    return KeyPair(Path="p/" + key, Key=key, Value=value)


def test_names_follow_envconsul() -> None:
    assert name("db/host", sanitize=False, upcase=False) == "db/host"  # envconsul #1
    assert name("db/host", sanitize=True, upcase=True) == "DB_HOST"
    assert name("db-host", path="my-app/x", no_prefix=False, sanitize=False, upcase=False) == (
        "my_app_x_db-host"
    )


def test_blank_keys_are_dropped_and_folders_kept() -> None:
    pairs = [pair(""), pair("dir/", ""), pair("a", "1")]
    got = prefix_environment("p", pairs, no_prefix=True, sanitize=False, upcase=False)
    assert got == {"dir/": "", "a": "1"}


def test_services_give_healthy_instances() -> None:
    found = [
        HealthService(Node="n1", ID="web-1", Name="web", Address="10.0.0.1", Port=80),
        HealthService(Node="n2", ID="web-2", Name="web", NodeAddress="10.0.0.2", Port=81),
    ]
    got = service_environment("web", found, sanitize=True, upcase=True)
    assert got["WEB_ID"] == "web-2"  # the last instance wins, as in envconsul
    assert got["WEB_ADDRESSES"] == "10.0.0.1:80,10.0.0.2:81"
    assert service_environment("web", [], sanitize=True, upcase=True) == {}


def test_dotenv_quotes_only_when_needed() -> None:
    assert dotenv({"B": "x y", "A": "plain", "C": "it's"}) == "A=plain\nB='x y'\nC='it'\\''s'\n"


def test_prefix_format_runs_after_the_path_prefix() -> None:
    fmt = compile_format('app_{{ key | replaceKey "-" "_" }}', KEY)
    pairs = [pair("db-host", "h")]
    got = prefix_environment("cfg/web", pairs, no_prefix=False, format=fmt, sanitize=False,
                             upcase=True)  # fmt: skip
    assert got == {"APP_CFG_WEB_DB_HOST": "h"}
    got = prefix_environment("cfg/web", pairs, no_prefix=True, format=fmt, sanitize=False,
                             upcase=False)  # fmt: skip
    assert got == {"app_db_host": "h"}


def test_service_formats() -> None:
    found = [HealthService(Node="n1", ID="db-1", Name="db", Address="10.0.0.9", Port=5432,
                           Tags=("a", "b"))]  # fmt: skip
    formats = ServiceFormats(
        {
            "id": compile_format("{{ service }}_instance", SERVICE),
            "port": compile_format("{{ key }}_of_{{ service }}", SERVICE),
        }
    )
    got = service_environment("db", found, formats=formats, sanitize=False, upcase=False)
    assert got == {
        "db_instance": "db-1",
        "db/name": "db",
        "db/address": "10.0.0.9",
        "db/tag": "a,b",
        "port_of_db": "5432",
        "db/addresses": "10.0.0.9:5432",
    }
