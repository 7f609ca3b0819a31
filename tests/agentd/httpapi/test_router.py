"""The route table's lookup: exact paths first, then the longest prefix."""

from __future__ import annotations

import pytest

from agentd.httpapi.router import Route, Router
from agentd.httpapi.routes import ROUTES


def _longest_prefix(router: Router, path: str) -> Route | None:
    """What ``match`` must answer, the slow way."""
    if path in router.exact:
        return router.exact[path]
    found = [p for p in router.prefixes if path.startswith(p)]
    return router.prefixes[max(found, key=len)] if found else None


@pytest.mark.parametrize(
    "path",
    [
        "/v1/kv/",
        "/v1/kv/a",
        "/v1/kv/a/b/c/",
        "/v1/kv//x",
        "/v1/agent/service/register",
        "/v1/agent/service/web",
        "/v1/agent/service/maintenance/web",
        "/v1/agent/check/pass/service:web",
        "/v1/health/service/web",
        "/v1/catalog/services",
        "/v1/query/abc/execute",
        "/v1/status/leader",
        "/v1/nope",
        "/v2/kv/a",
        "/",
        "",
        "no-slash",
    ],
)
def test_match_is_the_exact_path_else_the_longest_prefix(path: str) -> None:
    router = Router(ROUTES)
    assert router.match(path) is _longest_prefix(router, path)


def test_every_route_matches_itself_and_what_lies_below_it() -> None:
    router = Router(ROUTES)
    for route in ROUTES:
        assert router.match(route.path) is route
        if route.path.endswith("/"):
            assert router.match(route.path + "x/y") is _longest_prefix(router, route.path + "x/y")
    assert Router(ROUTES).exact["/v1/catalog/services"].label == "v1_catalog_services"
