"""Why the engine permitted or denied: codes for the audit trail, never shown to the accessor.

When no consent permits, the reason reported is that of the consent that came closest, so the
audit says "the treatment consent was revoked" rather than "no consent" when both are true of
different consents. Closeness follows the order the engine checks a consent in: first whether
it is about this access at all (patient, grantee, purpose, category, sensitivity), then whether
it is in force (state, period). A consent that covers the access but is no longer in force is
therefore the most telling, and is reported over one for another purpose.
"""
GRANTED = "granted"

NO_CONSENT = "no_consent"
WRONG_PURPOSE = "wrong_purpose"
CATEGORY_NOT_COVERED = "category_not_covered"
SENSITIVE_NOT_COVERED = "sensitive_not_covered"
NOT_ACTIVE = "not_active"
REVOKED = "revoked"
NOT_YET_VALID = "not_yet_valid"
EXPIRED = "expired"

DENY_REASONS = frozenset({NO_CONSENT, WRONG_PURPOSE, CATEGORY_NOT_COVERED, SENSITIVE_NOT_COVERED,
                          NOT_ACTIVE, REVOKED, NOT_YET_VALID, EXPIRED})

# How close a failing consent came to permitting; the highest is reported.
CLOSENESS = {
    NO_CONSENT: 0, WRONG_PURPOSE: 1, CATEGORY_NOT_COVERED: 2, SENSITIVE_NOT_COVERED: 3,
    NOT_ACTIVE: 4, REVOKED: 4, NOT_YET_VALID: 5, EXPIRED: 5,
}

TEXTS = {
    GRANTED: "an active consent covers this grantee, purpose, category and sensitivity",
    NO_CONSENT: "the patient has given this grantee no consent",
    WRONG_PURPOSE: "the patient's consents to this grantee are for other purposes",
    CATEGORY_NOT_COVERED: "no consent for this purpose covers this record category",
    SENSITIVE_NOT_COVERED: "the record is sensitive and no consent names its sensitivity labels",
    NOT_ACTIVE: "the consent covering this access is not active (draft, proposed, rejected, "
                "inactive or entered in error)",
    REVOKED: "the consent covering this access was revoked",
    NOT_YET_VALID: "the consent covering this access has not started yet",
    EXPIRED: "the consent covering this access has expired",
}
