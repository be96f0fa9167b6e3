"""Open Badges 3.0 credentials: build, sign (eddsa-rdfc-2022), verify, revoke.

Pure functions over plain data (dicts, dataclasses, keys); nothing here imports Flask or
the ORM. Needs the `badges` extra (pyld, cryptography, jsonschema).
"""
