"""Sign-in: who an account is and how it proves it.

auth (password, then TOTP or a recovery code, then a session), sessions (refresh rotation with
reuse detection), tokens (what a JWT says), factors (TOTP and recovery codes), credentials
(password change and reset), registration (activation codes, patient registration), lockout
(per-path attempt limits), identity, password_policy."""
