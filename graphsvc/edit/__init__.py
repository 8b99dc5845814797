"""The write path shared by GraphQL, the CLI and any later form: tokens and roles (``auth``),
practices (authorise, build, validate, commit: ``practices``) and their PROV change records
(``provenance``).

It may import ``recommend`` (the feedback vocabulary), ``model``, ``store`` and the bottom
modules; what it needs of the running service is the protocol ``workspace.Workspace``. Nothing in
it knows GraphQL or HTTP.
"""
