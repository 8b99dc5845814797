"""The write path shared by GraphQL, the CLI and any later form: tokens and roles (``auth``),
practices (authorise, build, validate, commit: ``practices``; their input fields and what each
sets: ``practice_fields``; reading the input: ``practice_input``), what is wrong with an input
field, in plain words and exact terms (``problems``) and the PROV change records
(``provenance``).

It may import ``recommend`` (the feedback vocabulary), ``model``, ``store`` and the bottom
modules; what it needs of the running service is the protocol ``workspace.Workspace``. Nothing in
it knows GraphQL or HTTP.
"""
