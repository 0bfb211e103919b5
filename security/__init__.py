"""Pure security primitives: password hashing and policy, TOTP, field encryption, secret codes.

Nothing here imports Flask or pymongo; callers pass in keys and state.
"""
