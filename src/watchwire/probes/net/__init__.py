"""The network family: the `tcp` (ports), `udp` (a datagram and its reply), `icmp` (ping)
and `traceroute` kinds.

Private to the family: `_privilege` (which ICMP socket this process may open) and `_hops`
(one hop-limited UDP or ICMP probe and its answer). Target parsing and resolution are shared
with other families in `probes/_target.py`.
"""
