"""Attack: choose your own address with forwarding headers, to escape the per-client limits.

The direct peer is the client unless it is a proxy named in ``GRAPHSVC_TRUSTED_PROXIES``; only
then is the one configured forwarding header read, from the right. Every request here comes
from 127.0.0.1; "trusted" tests name it as the proxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count

import httpx
import pytest
from support import RunningApp, run_app

from graphsvc.app import create_app
from graphsvc.errors import ConfigurationError
from graphsvc.http.clients import ClientIdentity, limit_key
from graphsvc.settings import Settings

from .wire import assert_healthy, new_peer

BURST = 3
# a refill of one request per thousand seconds: within a test, an empty bucket stays empty
LIMITS = {
    "web_rate_per_address": 0.001,
    "web_burst_per_address": BURST,
    "rate_per_address": 0.001,
    "burst_per_address": BURST,
}
GRAPHQL = "{ viewer { role } }"


def request(
    client: httpx.Client, route: str, headers: dict[str, str] | list[tuple[str, str]]
) -> httpx.Response:
    if route == "graphql":
        return client.post("/graphql", json={"query": GRAPHQL}, headers=headers)
    return client.get("/sparql", params={"query": "ASK {}"}, headers=headers)


def spoofed(header: str, n: int) -> dict[str, str]:
    address = f"198.51.{n // 256}.{n % 256}"
    value = f"for={address}" if header == "Forwarded" else address
    return {header: value}


@pytest.fixture(scope="module")
def untrusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """One app with ``LIMITS`` and no trusted proxies (the default), for the rotation attacks:
    each comes from an address of its own (:func:`new_peer`), so none meets a bucket that
    another emptied."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("untrusting"),
        store="memory",
        load_seeds=False,
        sparql_workers=1,
    ).with_overrides(**LIMITS)
    with run_app(settings) as app:
        yield app


@pytest.mark.parametrize("route", ["sparql", "graphql"])
@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_rotating_a_forwarding_header_from_an_untrusted_peer_is_still_one_client(
    untrusting: RunningApp, route: str, header: str
) -> None:
    app = untrusting
    numbers = count()
    with new_peer(app) as client:
        for _ in range(BURST):
            assert request(client, route, spoofed(header, next(numbers))).status_code == 200
        for _ in range(5):  # a new address every time, and every time refused
            refused = request(client, route, spoofed(header, next(numbers)))
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) >= 1
            assert "this address" in refused.text
    assert_healthy(app)


@pytest.mark.parametrize("route", ["sparql", "graphql"])
def test_behind_a_trusted_proxy_the_right_most_address_is_the_client(
    http_service: Callable[..., RunningApp], route: str
) -> None:
    app = http_service(trusted_proxies=("127.0.0.1",), **LIMITS)
    with app.client() as client:
        for _ in range(BURST):
            response = request(client, route, {"X-Forwarded-For": "203.0.113.7"})
            assert response.status_code == 200
        assert request(client, route, {"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        # what the client wrote itself stands left of what the proxy appended: ignored
        for n in range(5):
            rotated = {"X-Forwarded-For": f"192.0.2.{n}, 10.9.9.{n}, 203.0.113.7"}
            assert request(client, route, rotated).status_code == 429
        # a header sent twice counts as one list, in order: the last line's last entry counts
        twice = [("X-Forwarded-For", "192.0.2.1"), ("X-Forwarded-For", "203.0.113.7")]
        assert request(client, route, twice).status_code == 429
        assert request(client, route, twice[::-1]).status_code == 200
        # another client behind the same proxy has a bucket of its own
        assert request(client, route, {"X-Forwarded-For": "203.0.113.8"}).status_code == 200
        # the proxy's own requests (no header) are the proxy's
        assert request(client, route, {}).status_code == 200
    assert_healthy(app)


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_address(
    http_service: Callable[..., RunningApp],
) -> None:
    app = http_service(trusted_proxies=("127.0.0.1", "10.0.0.0/8"), **LIMITS)
    with app.client() as client:
        for n in range(BURST):  # through a different inner proxy each time: one client
            headers = {"X-Forwarded-For": f"203.0.113.7, 10.0.0.{n + 1}"}
            assert request(client, "sparql", headers).status_code == 200
        assert request(client, "sparql", {"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert_healthy(app)


def test_only_the_configured_header_is_read(http_service: Callable[..., RunningApp]) -> None:
    app = http_service(trusted_proxies=("127.0.0.1",), forwarded_header="forwarded", **LIMITS)
    with app.client() as client:
        for n in range(BURST):
            headers = {
                "Forwarded": 'for="[2001:db8::1]:4711";proto=https',
                "X-Forwarded-For": f"192.0.2.{n}",
            }
            assert request(client, "sparql", headers).status_code == 200
        # X-Forwarded-For is the client's to write here, so rotating it changes nothing
        for n in range(3):
            headers = {"Forwarded": 'for="[2001:db8::1]"', "X-Forwarded-For": f"192.0.2.{n + 50}"}
            assert request(client, "sparql", headers).status_code == 429
        # nor does moving within the client's /64
        headers = {"Forwarded": 'for="[2001:db8::ffff:1]"'}
        assert request(client, "sparql", headers).status_code == 429
        assert request(client, "sparql", {"Forwarded": "for=203.0.113.9"}).status_code == 200
    assert_healthy(app)


@pytest.mark.parametrize("garbage", ["unknown", "_hidden", "not an address", "1.2.3.4.5", "[::1"])
def test_garbage_from_a_trusted_proxy_counts_as_the_proxy(
    http_service: Callable[..., RunningApp], garbage: str
) -> None:
    app = http_service(trusted_proxies=("127.0.0.1",), **LIMITS)
    with app.client() as client:
        for n in range(BURST):
            headers = {"X-Forwarded-For": f"198.51.100.{n}, {garbage}"}
            assert request(client, "sparql", headers).status_code == 200
        # the addresses left of the garbage cannot be told apart from forgeries
        assert (
            request(client, "sparql", {"X-Forwarded-For": f"198.51.100.99, {garbage}"}).status_code
            == 429
        )
    assert_healthy(app)


def scope(peer: str | None, *headers: tuple[str, str]) -> dict[str, object]:
    return {
        "type": "http",
        "client": (peer, 50000) if peer else None,
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers],
    }


@pytest.mark.parametrize(
    ("peer", "value", "expected"),
    [
        ("203.0.113.1", "192.0.2.1", "203.0.113.1"),  # untrusted peer: header ignored
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "192.0.2.1:8080", "192.0.2.1"),  # with a port
        ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),  # IPv6 with a port
        ("10.0.0.2", "::ffff:192.0.2.1", "192.0.2.1"),  # IPv4-mapped IPv6
        ("10.0.0.2", "192.0.2.1, 10.0.0.9", "192.0.2.1"),  # trusted hops are skipped
        ("10.0.0.2", "10.0.0.7, 10.0.0.9", "10.0.0.7"),  # all trusted: the left-most
        ("10.0.0.2", "192.0.2.1, garbage", "10.0.0.2"),  # garbage: stop at the proxy
        ("::ffff:10.0.0.2", "192.0.2.1", "192.0.2.1"),  # the peer as IPv4-mapped IPv6
        (None, "192.0.2.1", "unknown"),  # no peer (a Unix socket): nothing to trust
    ],
)
def test_client_address(peer: str | None, value: str, expected: str) -> None:
    identity = ClientIdentity(["10.0.0.0/8"])
    assert identity.address(scope(peer, ("X-Forwarded-For", value))) == expected


def test_an_ipv6_client_is_counted_per_64() -> None:
    assert (
        limit_key("2001:db8:1:2:3:4:5:6") == limit_key("2001:db8:1:2::ffff") == "2001:db8:1:2::/64"
    )
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("192.0.2.1") == "192.0.2.1"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("trusted_proxies", ("10.0.0.0/8", "proxy.example"), "GRAPHSVC_TRUSTED_PROXIES"),
        ("trusted_proxies", ("10.0.0.0/33",), "GRAPHSVC_TRUSTED_PROXIES"),
        ("forwarded_header", "x-real-ip", "GRAPHSVC_FORWARDED_HEADER"),
    ],
)
def test_a_bad_proxy_setting_stops_the_start(setting: str, value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        create_app(Settings(store="memory", load_seeds=False, **{setting: value}))  # type: ignore[arg-type]


def test_trusted_proxies_from_the_environment() -> None:
    settings = Settings.from_env({"GRAPHSVC_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.10")
    assert Settings().trusted_proxies == ()
