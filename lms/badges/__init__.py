"""Open Badges 3.0 in the LMS: every certificate as a signed OpenBadgeCredential.

`lms.credentials` builds, signs and verifies (pure functions); this area wires it in:

- `keystore`: the issuer's Ed25519 key in a file (`lms badges init-key`), and the retired
  public keys that still verify older credentials;
- `service`: the issuer profile from configuration, a certificate's credential (issued on
  first request and stored, so every download is the same bytes), the status lists;
- `views`: the issuer document, status lists, the holder's download (`lms.badges.*`).

docs/CREDENTIALS.md says what a credential states and how anyone verifies one offline.
"""
