"""Sharing: who else may read a patient's records, and every such read.

consents (grant, revoke, receipts), shared_access (every read by someone other than the patient),
representatives (legal representatives of children), approvals (the four-eyes queue), evidence
(sealed scans of signed forms)."""
