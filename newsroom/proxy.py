"""Believe the forwarding headers only from the reverse proxies the operator names.

Behind nginx every request comes from nginx's address; the reader's address and the original scheme
arrive in `X-Forwarded-For` and `X-Forwarded-Proto`. Anyone can send those headers, so they are read
only when the request really comes from a trusted proxy (`NEWSROOM_TRUSTED_PROXIES`) and removed from
every other request. After this middleware `REMOTE_ADDR` is the client's address for everything that
follows (login lock-outs, counters, logs) and `request.is_secure()` cannot be faked.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


def parse_network(value: str):
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def invalid_proxies(proxies) -> list[str]:
    """Entries of NEWSROOM_TRUSTED_PROXIES that are not addresses or networks (a host name, say)."""
    return [proxy for proxy in proxies if parse_network(proxy) is None]


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple:
    # An entry that is not an address is never trusted; the system check newsroom.E001 names it.
    return tuple(network for network in map(parse_network, proxies) if network is not None)


def parse_address(value: str):
    """An address as proxies write it: bare, `[v6]:port` or `v4:port`; IPv4-mapped IPv6 as IPv4."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted(address) -> bool:
    networks = trusted_networks(tuple(settings.NEWSROOM_TRUSTED_PROXIES))
    return address is not None and any(address in network for network in networks)


def is_trusted_peer(remote_addr: str) -> bool:
    """Whether REMOTE_ADDR, as the server gives it, is a trusted proxy's."""
    return peer_is_trusted(remote_addr, tuple(settings.NEWSROOM_TRUSTED_PROXIES))


@lru_cache(maxsize=256)
def peer_is_trusted(remote_addr: str, proxies: tuple[str, ...]) -> bool:
    # Parsed once per address: behind nginx every request comes from the same one or two.
    address = parse_address(remote_addr)
    return address is not None and any(address in network for network in trusted_networks(proxies))


def forwarded_client(forwarded_for: str):
    """The nearest address in the X-Forwarded-For chain that is not one of our proxies, or None."""
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            return None  # a malformed chain: keep the proxy's own address
        if not is_trusted(address):
            return address
    return None


def client_address(request) -> str:
    """The client's address as this middleware left it (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return request.META.get("REMOTE_ADDR", "")


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if is_trusted_peer(meta.get("REMOTE_ADDR", "")):
            client = forwarded_client(meta.get("HTTP_X_FORWARDED_FOR", ""))
            if client is not None:
                meta["REMOTE_ADDR"] = str(client)
        else:
            for header in FORWARDING_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
