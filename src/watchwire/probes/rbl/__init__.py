"""The rbl family: the `rbl` kind (is an address or domain listed on DNS blocklists).

Public: `catalog` (the built-in blocklists and what their answers mean) and `query` (query
names, target parsing, subnet expansion), which the RBL service and CLI use. Private to the
family: `_plan` (which lists to ask about a target), `_channel` (the resolver server, its
channel and the bounded fan-out of lookups), `_answers` (one list's answer and the status its
codes make of it, the RFC 5782 test points) and `_resolver` (a c-ares channel driven from the
event loop).
"""
