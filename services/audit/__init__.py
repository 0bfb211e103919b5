"""The audit trail: recorder (the hash chain every service writes to, and the patient's access
log), checkpoints (signed checkpoints kept outside the database), verify (the operators' check
of the chain against its sealed head and the checkpoints)."""
