"""The geo family: the `geo` kind (country, region, city, ASN of an address, offline).

Public: `data` (the embedded range file: build, read, search), which `watchwire geo update`
uses. Private to the family: `_mmdb` (optional MaxMind-format databases).
"""
