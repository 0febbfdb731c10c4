"""The tls family: the `tls` kind (take the certificate chain over any of 15 protocols and
judge it) and the `tcps` kind (one TCP connect and TLS handshake, timed, the certificate
judged by the same rules: the uptime side of TLS).

Public: `starttls` (the plaintext upgrade dances, usable on their own) and `certificate`
(what a certificate says: description, names, fingerprint). Private to the family:
`_wire`, `_text_dances` and `_binary_dances` (the plaintext side of STARTTLS), `_session`
(handshakes and what they showed), `_roots` (where the trust anchors come from), `_trust`
(anchors and path validation), `_findings` (the finding rules of a chain), `_revocation`
(OCSP, CRL), `_caa` (RFC 8659), `_issuance_checks` (their findings) and `_cache` (the bounded
caches behind certificate facts and trust verdicts).
"""
