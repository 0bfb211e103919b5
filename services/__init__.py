"""Domain functions between the HTTP layer (api/) and storage (models/).

They take validated values, enforce the rules (lockout, single use, rotation) and raise the typed
exceptions of services.errors; api/errors.py turns those into problem+json.
"""
