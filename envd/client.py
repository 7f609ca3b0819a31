"""envconsul's ``consul { address, token, ssl { ... }, auth { ... } }`` as a client config.

Flags (``-consul-addr``, ``-consul-token``) win over the block, which wins over Consul's
``CONSUL_*`` environment. As in envconsul, any ``ssl`` option turns TLS on unless
``enabled = false``; an ``auth`` block sends basic auth unless ``enabled = false``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cnslkit.api.config import ClientConfig
from cnslkit.api.consul_block import client_from_block
from cnslkit.api.errors import ConfigError as ClientConfigError
from cnslkit.configfiles import ConfigError

__all__ = ["client_config"]


def client_config(
    given: Mapping[str, Any],
    consul: Mapping[str, Any],
    as_bool: Callable[[Any, str], bool],
) -> ClientConfig:
    try:
        return client_from_block(
            consul, as_bool, address=given.get("consul-addr"), token=given.get("consul-token")
        )
    except ClientConfigError as exc:
        raise ConfigError(str(exc)) from None
