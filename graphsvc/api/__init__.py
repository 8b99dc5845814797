"""The GraphQL schema: types, queries, mutations (thin over :mod:`graphsvc.edit`), connections
and recommendations, assembled in :mod:`graphsvc.api.schema`.

The GraphQL-over-HTTP engine that serves it lives in :mod:`graphsvc.api.server`. The schema may
import ``model``, ``recommend``, ``edit``, ``services`` and the lower layers, never ``web`` or
``api.server``.
"""
