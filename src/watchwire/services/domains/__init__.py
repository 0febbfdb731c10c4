"""Monitored domains (Entri 002): fields and validation (fields.py), rows shared by the service
and the jobs (queries.py), the records it answers (records.py), the rules of every face
(service.py), an account's summary (summary.py) and the scheduled work the engine runs:
record checks (records_check.py), expiry checks (expiry_check.py) and batch creation
(batches.py)."""
