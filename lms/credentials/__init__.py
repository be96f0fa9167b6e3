"""Open Badges 3.0 credentials: build, sign (eddsa-rdfc-2022), verify, revoke.

Pure functions over plain data (dicts, dataclasses, keys); nothing here imports Flask or
the ORM. Needs the `badges` extra (pyld, cachetools, cryptography, jsonschema). See
docs/CREDENTIALS.md.

- `issue`: `issue_badge`, `status_list_credential`, `issuer_document`, `BadgeUrls`;
- `verify`: `verify_credential` and its `Reason`s; `resolvers`: where keys come from;
- `credential`: `build_credential` (the unsigned OpenBadgeCredential);
- `proof`: the eddsa-rdfc-2022 cryptosuite; `rdfc`: safe-mode RDFC-1.0;
- `keys`: Ed25519 keys, Multikey, did:key; `multibase`: base58btc and base64url;
- `status_list`: W3C Bitstring Status List; `schema`: the OB 3.0 JSON Schema;
- `loader`: the shipped JSON-LD contexts (`contexts/`), never the network.
"""
