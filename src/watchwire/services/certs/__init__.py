"""Certificate monitoring (003's "Cert Monitors", "Cert Profiles", "Errors"): fields and
shapes (spec.py), the rules of every face (service.py) and the scheduled check the engine runs
(check.py)."""
