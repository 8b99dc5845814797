"""The write path shared by GraphQL, the CLI and any later form: tokens and roles (``auth``),
practices (authorise, build, validate, commit: ``practices``) and their PROV change records
(``provenance``).

It may import ``services``, ``model``, ``store`` and the lower layers; nothing in it knows GraphQL
or HTTP.
"""
