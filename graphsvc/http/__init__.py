"""HTTP plumbing shared by the GraphQL API (:mod:`graphsvc.api`) and the researcher-facing
routes (:mod:`graphsvc.web`): one of each tool both faces need (content negotiation, the cache
class, CORS, security headers, rate limits), who the client is, strict form decoding, the server
protocol that cuts slow clients off, and the operations routes.

=========================  ===============================================================
:mod:`.negotiation`        the one ``Accept`` parser; each face applies its own policy
:mod:`.cache`              the one LRU cache class, bounded by entries and bytes
:mod:`.cors`               CORS for public read-only routes (any origin, no credentials)
:mod:`.headers`            CSP, ``nosniff``, ``Referrer-Policy``, ``frame-ancestors``
:mod:`.clients`            the client address behind trusted proxies; the key limits use
:mod:`.buckets`            token buckets and in-flight counters per client, bounded memory:
                           the rate limits of both faces
:mod:`.limits`             ``429`` with ``Retry-After`` on the researcher-facing routes
:mod:`.forms`              ``application/x-www-form-urlencoded``, refused when malformed
:mod:`.timeouts`           uvicorn's protocol with a header and a body time-out
:mod:`.guards`             the middleware in front of the whole application
:mod:`.pages`, ``templates/``, :mod:`.assets`
                           the page layout and GraphiQL (Jinja2), bundled front-end files
:mod:`.observe`, :mod:`.metrics`, :mod:`.multiproc`, :mod:`.probes`, :mod:`.admin`,
:mod:`.operations`         request ids and logs, Prometheus metrics, ``/readyz``,
                           ``/metrics``, ``/admin/backup``
=========================  ===============================================================

Imports :mod:`graphsvc.settings`, :mod:`graphsvc.errors`, Starlette, uvicorn and Jinja2, and
:mod:`graphsvc.store` for the backup: the two public faces import it, never the other way round.
"""

from __future__ import annotations

__all__: list[str] = []
