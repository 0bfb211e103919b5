"""Clinical records: storing apart from reading.

Write side: ingest (hospitals' FHIR bundles become versioned records), measurements (what
patients record themselves). Read side: reading (the patient's own list, record, export),
hospital_export (a leaving hospital's data). The read side imports nothing from the write side:
encryption contexts live in services/sealing.py, cursors in services/paging.py."""
