"""Certificate monitoring (003's "Cert Monitors", "Cert Profiles", "Errors"): fields and
event payloads (spec.py), the records it answers (records.py), the rules of every face
(service.py) and the scheduled check the engine runs (check.py)."""
