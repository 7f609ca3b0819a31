"""The DNS interface: Consul's names over UDP and TCP (``ports.dns``, 8600 by default).

Rules: ``answer`` is the sans-IO core (packet in, reply/forward/drop out) and never raises for a
bad packet: malformed input gets FORMERR or is dropped, a failure while answering SERVFAIL.
``names`` parses question names, ``lookup`` builds records, ``trim`` fits answers to the
transport, ``records`` makes and packs RRs (dnslib is the wire format); all of these are pure.
``view`` is the only door to the store. ``server`` owns the sockets and ``recursor`` the only
waiting there is (forwarding names outside the domain).
"""

from agentd.dns.config import DNSConfig
from agentd.dns.server import DNSServer

__all__ = ["DNSConfig", "DNSServer"]
