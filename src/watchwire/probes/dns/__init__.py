"""The dns family: the `dns` kind (one question to one server, DNSSEC proven on request).

Public: `transport` (asking one question over UDP, TCP on truncation), which the CLI and the
benchmarks use. Private to the family: `_dnssec` (the chain of trust from an anchor),
`_anchors` (trust anchors, DS matching), `_verdicts` (DNSSEC statuses and a validating
resolver's verdict) and `_denial` (what NSEC/NSEC3 records prove).
"""
