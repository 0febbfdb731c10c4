"""The rbl family: the `rbl` kind (is an address or domain listed on DNS blocklists).

Public: `catalog` (the built-in blocklists and what their answers mean) and `query` (query
names, target parsing, subnet expansion), which the RBL service and CLI use. Private to the
family: `_resolver` (a c-ares channel driven from the event loop).
"""
