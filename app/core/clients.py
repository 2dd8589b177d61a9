"""The client's real address, behind the reverse proxies the deployment trusts.

`X-Forwarded-For` and `Forwarded` are believed only when the peer itself is a trusted proxy
(`TRUSTED_PROXIES`); the client is then the nearest address in the chain that is not a trusted
proxy, read from the right, since anything left of it may have been written by the client.
"""

import ipaddress
import re
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED_FOR = re.compile(r'(?:^|[;,\s])for\s*=\s*"?\[?([^\]";,\s]+)', re.IGNORECASE)


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.1, 172.16.0.0/12, ::1` → networks; raises ValueError on a malformed entry."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def _forwarded_chain(request: Request) -> list[str]:
    """The addresses the proxies recorded, client first (`Forwarded` over `X-Forwarded-For`)."""
    forwarded = request.headers.getlist("forwarded")
    if forwarded:
        chain = []
        for element in ",".join(forwarded).split(","):
            match = _FORWARDED_FOR.search(element)
            if match:
                # `for=1.2.3.4:5678` carries a port; IPv6 is bracketed, so its colons stay.
                value = match[1]
                chain.append(value.rsplit(":", 1)[0] if value.count(":") == 1 else value)
        return chain
    return [
        part.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for part in header.split(",")
        if part.strip()
    ]


def client_address(request: Request, trusted_proxies: Sequence[Network]) -> str:
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted_proxies):
        return peer
    for address in reversed(_forwarded_chain(request)):
        if not _trusted(address, trusted_proxies):
            return address
    return peer
