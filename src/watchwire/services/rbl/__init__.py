"""Blocklist monitoring (003's RBL "Hosts", "Monitoring Profiles", "Sources", "Listings" and
"Check"). The service every face calls is service.py, made of one part per resource:
sources.py, profiles.py, hosts.py and checks.py (manual checks), with fields.py reading their
requests and model.py holding what the parts and the checks share (the sources an account
sees, the event payload shapes); records.py holds what the service answers. The checks themselves are checker.py: the scheduled host checks and
the manual checks the engine runs, with lookup.py asking the lists, plans.py choosing them
and announce.py writing what a check tells."""
