"""``cnsl monitor``: Consul's ``command/monitor``: stream the agent's log lines until interrupted.

``/v1/agent/monitor`` never ends on its own, so this is the one command that reads a response as
it arrives (httpx streaming) instead of through the CLI's whole-response caller.
"""

from __future__ import annotations

from cli.command import EXIT_ERROR, EXIT_OK, Command, no_args
from cli.goflags import BOOL, STRING, Flag
from cli.httpflags import CLIENT_FLAGS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cli.command import Invocation

__all__ = ["COMMAND"]

FLAGS = (
    Flag("log-level", STRING, "INFO", help="Log level of the agent's messages to show."),
    Flag("log-json", BOOL, help="Output logs in JSON format."),
    *CLIENT_FLAGS,
)
ENDED = (
    "Remote side ended the monitor! This usually means that the remote side has exited or crashed."
)


def run(inv: Invocation) -> int:
    import httpx

    no_args(inv)
    cfg = inv.http().config
    params: dict[str, str] = {"loglevel": (inv.parsed.text("log-level") or "INFO").lower()}
    if inv.parsed.on("log-json"):
        params["logjson"] = ""
    if cfg.unix_socket is not None:
        transport = httpx.HTTPTransport(uds=cfg.unix_socket)
    elif cfg.scheme == "https":
        transport = httpx.HTTPTransport(verify=cfg.ssl_context())
    else:
        transport = httpx.HTTPTransport()
    headers = {"X-Consul-Token": cfg.token} if cfg.token else {}
    timeout = httpx.Timeout(10.0, read=None)
    try:
        with (
            httpx.Client(transport=transport, headers=headers, timeout=timeout) as client,
            client.stream("GET", cfg.base_url + "/v1/agent/monitor", params=params) as resp,
        ):
            if resp.status_code != 200:
                body = resp.read().decode(errors="replace")
                inv.out.error(
                    f"Error starting monitor: Unexpected response code: {resp.status_code} ({body})"
                )
                return EXIT_ERROR
            for line in resp.iter_lines():
                inv.out.info(line)
                inv.out.flush()
    except KeyboardInterrupt:
        return EXIT_OK
    except httpx.HTTPError as exc:
        inv.out.error(f"Error starting monitor: {exc}")
        return EXIT_ERROR
    inv.out.info(ENDED)
    return EXIT_OK


COMMAND = Command(
    "monitor",
    FLAGS,
    run,
    synopsis="Stream logs from a Consul agent",
    help="Print the agent's log lines as they are written, until interrupted.",
)
