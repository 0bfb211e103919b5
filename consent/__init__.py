"""Consent decisions (pure Python: consent records in, permit/deny and why out).

Empty until consents are built; the foundation only fixes where they live.
"""
