"""Consent decisions (pure Python: consent records in, permit/deny and why out).

Standard library only (and `cryptography` for signing receipts): no Flask, no database, nothing
of the project. The services load consents, turn them into Consent values, ask the engine and
record its answer:

    decision = decide(consents, patient_id=..., accessor=Grantee.hospital(hospital_id),
                      purpose=TREATMENT, category="lab",
                      sensitive_labels=labels_of(resource), at=now)
    if not decision.permitted: ...   # decision.reason is for the audit log, not the caller

Modules: vocabulary (the words), model (Grantee, Consent, Decision), engine (decide and the
listing helpers), lifecycle (validate, make, revoke), sensitivity (labels from a record's codes
and words; labels_of(resource) is sensitive_labels_for(fhir_codings(resource)); labels_of_text
reads one text alone, a hospital's name for one), sensitive_codes (loads
sensitive_vocabulary.toml), text_terms (terms in free text), receipts (canonical payload, Ed25519
signatures), reasons, errors.
"""
from consent.engine import (IN_FORCE, active_consents_for, decide, in_order, standing,
                            visible_categories)
from consent.errors import (AlreadyRevoked, ConsentError, ConsentInvalid, NotPending,
                            NotRevocable, SelfApproval)
from consent.lifecycle import approve, new_consent, reject, revoke, validate_new_consent
from consent.model import DENY, PERMIT, Consent, Decision, Grantee
from consent.receipts import (new_receipt_key, public_key_of, receipt_payload, sign_receipt,
                              verify_receipt)
from consent.sensitivity import fhir_codings, labels_of, labels_of_text, sensitive_labels_for
from consent.vocabulary import (ACTIVE, ALL, CAREGIVING, CATEGORIES, DRAFT, ENTERED_IN_ERROR,
                                STAFF,
                                HOSPITAL, INACTIVE, INSURANCE, OTHER, PERSON, PROPOSED, PURPOSES,
                                REJECTED, RESEARCH, SENSITIVE_LABELS, STATUSES, TREATMENT)

__all__ = [
    "decide", "visible_categories", "active_consents_for", "standing", "in_order", "IN_FORCE",
    "validate_new_consent", "new_consent", "revoke", "approve", "reject",
    "Consent", "Grantee", "Decision", "PERMIT", "DENY",
    "ConsentError", "ConsentInvalid", "NotRevocable", "AlreadyRevoked", "NotPending",
    "SelfApproval",
    "receipt_payload", "sign_receipt", "verify_receipt", "new_receipt_key", "public_key_of",
    "sensitive_labels_for", "fhir_codings", "labels_of", "labels_of_text",
    "ALL", "CATEGORIES", "PURPOSES", "SENSITIVE_LABELS", "STATUSES",
    "TREATMENT", "CAREGIVING", "RESEARCH", "INSURANCE", "OTHER",
    "DRAFT", "PROPOSED", "ACTIVE", "REJECTED", "INACTIVE", "ENTERED_IN_ERROR",
    "HOSPITAL", "PERSON", "STAFF",
]
