"""The rdap family: the `rdap` kind (a domain's registration from its registry's RDAP
service, found through the IANA bootstrap data)."""
