"""Rate limiting per API token and per client address: a ``429`` with ``Retry-After`` and a
GraphQL error (the buckets themselves, :class:`graphsvc.http.buckets.TokenBuckets`, are tested in
``tests/security/test_http_rate_limits.py``); the request deadline."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from graphsvc.api.server.limits import Deadline

from .gql import BA, GRAPHQL_RESPONSE, local_api

QUERY = "{ viewer { role } }"


def test_requests_beyond_the_burst_are_429_per_address_and_per_token(tmp_path: Path) -> None:
    # a refill of one request per thousand seconds: within the test, a bucket never refills
    with local_api(
        tmp_path,
        load_seeds=False,
        rate_per_address=0.001,
        burst_per_address=3,
        rate_per_token=0.001,
        burst_per_token=5,
    ) as api:
        one = api.make_token("one", "member", BA)
        two = api.make_token("two", "admin")

        for _ in range(3):
            assert api.post(QUERY).status_code == 200
        limited = api.post(QUERY)
        assert limited.status_code == 429
        assert limited.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert int(limited.headers["retry-after"]) >= 1
        (error,) = limited.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "this address" in error["message"]
        assert "at most 0.001 per second (bursts of 3)" in error["message"]
        # plain JSON clients get the 429 too, and so does a bad or unknown token (by address)
        assert api.post(QUERY, accept="application/json").status_code == 429
        assert api.post(QUERY, token="gsk_0000_nothing").status_code == 429

        # a token has a bucket of its own, whatever its address has used
        for _ in range(5):
            response = api.post(QUERY, token=one)
            assert response.status_code == 200
            assert response.json() == {"data": {"viewer": {"role": "member"}}}
        refused = api.post(QUERY, token=one)
        assert refused.status_code == 429
        assert "this API token" in refused.json()["errors"][0]["message"]
        # and one token's use leaves another's bucket alone
        assert api.post(QUERY, token=two).json() == {"data": {"viewer": {"role": "admin"}}}


def test_a_deadline_reads_as_aborted_once_its_wait_returns() -> None:
    deadline = Deadline(0.01)
    assert not deadline.aborted
    reason = asyncio.run(deadline.wait())
    assert deadline.aborted
    assert reason.code == "TIMEOUT"
    assert "0.01 s" in str(reason)


def test_a_checkpoint_reads_the_clock_at_once_and_then_every_few_objects() -> None:
    expired = Deadline(1e-9)
    assert expired.checkpoint()  # the first call reads the clock
    running = Deadline(3600)
    assert not any(running.checkpoint() for _ in range(10 * Deadline.CHECK_EVERY))
    running.expires = 0.0  # as if the hour had passed
    seen = [running.checkpoint() for _ in range(Deadline.CHECK_EVERY)]
    assert seen[-1]  # noticed within one round of checkpoints, and then for good


def test_a_commit_disarms_the_deadline_for_good() -> None:
    """Once a write of the operation committed, later writes commit and nothing aborts it."""
    deadline = Deadline(0.01)
    assert deadline.begin_commit()
    time.sleep(0.02)
    assert not deadline.aborted and not deadline.checkpoint()
    assert deadline.begin_commit()  # a second write of the same operation, past the time
    assert not deadline.aborted
    late = Deadline(1e-9)
    time.sleep(0.001)
    assert not late.begin_commit() and late.aborted
