"""HTTP plumbing shared by the GraphQL API (:mod:`graphsvc.api`) and the researcher-facing
routes (:mod:`graphsvc.web`): who the client is, per-client limits, security headers, strict
form decoding, and the server protocol that cuts slow clients off.

=========================  ===============================================================
:mod:`.clients`            the client address behind trusted proxies; the key limits use
:mod:`.buckets`            token buckets and in-flight counters per client, bounded memory
:mod:`.limits`             ``429`` with ``Retry-After`` on the researcher-facing routes
:mod:`.headers`            CSP, ``nosniff``, ``Referrer-Policy``, ``frame-ancestors``
:mod:`.forms`              ``application/x-www-form-urlencoded``, refused when malformed
:mod:`.timeouts`           uvicorn's protocol with a header and a body time-out
:mod:`.guards`             the middleware in front of the whole application
=========================  ===============================================================

Imports only :mod:`graphsvc.settings`, :mod:`graphsvc.errors`, Starlette and uvicorn: the two
public faces import it, never the other way round.
"""

from __future__ import annotations

__all__: list[str] = []
