"""A consent's life: checked and made when granted, withdrawn by revoke(). Never deleted: a
revoked consent is a new value with the old one's fields and the revocation's, which the
services store over the active one while keeping both in the consent's history.

Times are cut to whole milliseconds when a consent is made or revoked: MongoDB keeps no finer,
so the value made here equals the value read back, and a receipt signed now still verifies
against the stored consent.
"""
import dataclasses
from collections.abc import Iterable
from datetime import datetime

from consent import vocabulary as v
from consent.errors import AlreadyRevoked, ConsentInvalid, NotPending, NotRevocable, SelfApproval
from consent.model import Consent, Grantee, require_aware

_SHOWN = 40  # at most this much of a rejected value is echoed in a message


def validate_new_consent(*, patient_key: str, grantee: Grantee, categories: Iterable[str],
                         purpose: str, expires_at: datetime | None, source: str,
                         evidence: str | None = None, sensitive: Iterable[str] = (),
                         at: datetime) -> None:
    """Check the fields of a consent about to be granted at `at`. `patient_key` is the
    granting patient's own national-ID hash, to refuse a grant to themself. `categories` are as
    the API body gives them: record categories, or ["all"].
    Raises ConsentInvalid with every problem found, field -> messages; ValueError for a naive
    `at` (a caller's mistake, not the patient's)."""
    require_aware("at", at)
    errors: dict[str, list[str]] = {}
    for field, messages in (("grantee", _grantee_problems(grantee, patient_key)),
                            ("categories", _category_problems(categories)),
                            ("purpose", _purpose_problems(purpose)),
                            ("expires_at", _expiry_problems(expires_at, at)),
                            ("source", _source_problems(source)),
                            ("evidence", _evidence_problems(source, evidence)),
                            ("sensitive", _sensitive_problems(sensitive))):
        if messages:
            errors[field] = messages
    if errors:
        raise ConsentInvalid(errors)


def new_consent(*, id: str, patient_id: str, patient_key: str, grantee: Grantee,
                categories: Iterable[str], purpose: str, expires_at: datetime | None,
                source: str, recorded_by: str, at: datetime, evidence: str | None = None,
                sensitive: Iterable[str] = ()) -> Consent:
    """A consent granted at `at`: from the app, active and in force from then until
    `expires_at` (or until revoked); recorded by staff, proposed until another staff account
    approves it (approve()). Raises what validate_new_consent raises."""
    categories, sensitive = _listed(categories), _listed(sensitive)
    validate_new_consent(patient_key=patient_key, grantee=grantee, categories=categories,
                         purpose=purpose, expires_at=expires_at, source=source,
                         evidence=evidence, sensitive=sensitive, at=at)
    now = to_millis(at)
    return Consent(
        id=id, patient_id=patient_id, grantee=grantee,
        categories=v.ALL if categories == [v.ALL_WORD] else frozenset(categories),
        sensitive=frozenset(sensitive), purpose=purpose, period_start=now,
        period_end=to_millis(expires_at) if expires_at is not None else None,
        status=v.PROPOSED if source == v.STAFF else v.ACTIVE, source=source,
        evidence=evidence or None,
        recorded_by=recorded_by, recorded_at=now)


def revoke(consent: Consent, by: str, at: datetime, *, evidence: str | None = None) -> Consent:
    """The consent withdrawn at `at` by `by` (an actor reference the services choose, such as
    "patient:<id>" or "staff:<id>"); `evidence` names the signed form when staff withdraw on
    the patient's behalf. Active, draft and proposed consents can be withdrawn, an expired one
    too (its record then says it was withdrawn). Raises AlreadyRevoked for a revoked consent,
    NotRevocable for a rejected, entered-in-error or otherwise inactive one, ValueError for an
    empty `by` or a naive `at`."""
    if consent.revoked:
        raise AlreadyRevoked(f"consent {consent.id} was revoked before")
    if consent.status not in (v.ACTIVE, v.DRAFT, v.PROPOSED):
        raise NotRevocable(f"consent {consent.id} is {consent.status}")
    if not isinstance(by, str) or not by:
        raise ValueError("revoke() needs who revokes")
    require_aware("at", at)
    return dataclasses.replace(consent, status=v.INACTIVE, revoked_at=to_millis(at),
                               revoked_by=by, revocation_evidence=evidence or None)


def approve(consent: Consent, by: str, at: datetime) -> Consent:
    """The proposed consent approved at `at` by `by`, in force from then. Raises SelfApproval
    when `by` recorded it (four eyes), NotPending for a consent that is not proposed (approved,
    rejected or withdrawn already), ValueError for an empty `by` or a naive `at`."""
    _check_decision(consent, by, at)
    return dataclasses.replace(consent, status=v.ACTIVE, approved_by=by,
                               approved_at=to_millis(at), period_start=to_millis(at))


def reject(consent: Consent, by: str, at: datetime) -> Consent:
    """The proposed consent refused at `at` by `by`; it never permits. Raises as approve()."""
    _check_decision(consent, by, at)
    return dataclasses.replace(consent, status=v.REJECTED, rejected_by=by,
                               rejected_at=to_millis(at))


def _check_decision(consent: Consent, by: str, at: datetime) -> None:
    if not isinstance(by, str) or not by:
        raise ValueError("a decision needs who makes it")
    require_aware("at", at)
    if consent.status != v.PROPOSED or consent.revoked:
        raise NotPending(f"consent {consent.id} is {consent.status}")
    if by == consent.recorded_by:
        raise SelfApproval(f"consent {consent.id} was recorded by {by}")


def to_millis(moment: datetime) -> datetime:
    """The same instant cut to whole milliseconds, as MongoDB stores it (it truncates)."""
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


def _listed(values):
    # A generator would be spent by validation before the consent is built from it.
    return values if isinstance(values, str) else list(values)


def _grantee_problems(grantee, patient_key: str) -> list:
    if not isinstance(grantee, Grantee):
        return ["must be a hospital or a person"]
    if grantee.kind == v.PERSON and grantee.key == patient_key:
        return ["a patient cannot grant consent to themself"]
    return []


def _category_problems(categories) -> list:
    if isinstance(categories, str):
        return ["must be a list of categories, or [\"all\"]"]
    categories = list(categories)
    if not categories:
        return ["name at least one category, or \"all\""]
    if any(not isinstance(c, str) for c in categories):
        return ["categories are strings"]
    if v.ALL_WORD in categories:
        return [] if set(categories) == {v.ALL_WORD} else [
            "\"all\" cannot be combined with other categories"]
    return [f"unknown category: {_shown(c)}" for c in sorted(set(categories) - v.CATEGORIES)]


def _purpose_problems(purpose) -> list:
    if purpose in v.PURPOSES:
        return []
    return [f"unknown purpose: {_shown(purpose)}; one of {', '.join(sorted(v.PURPOSES))}"]


def _expiry_problems(expires_at, at: datetime) -> list:
    if expires_at is None:
        return []
    if not isinstance(expires_at, datetime) or expires_at.utcoffset() is None:
        return ["must be a date and time with its time zone"]
    if to_millis(expires_at) <= to_millis(at):
        return ["must be in the future"]
    return []


def _source_problems(source) -> list:
    return [] if source in v.SOURCES else [f"must be one of {', '.join(sorted(v.SOURCES))}"]


def _evidence_problems(source, evidence) -> list:
    # Staff act on a paper form the patient signed; without its reference the consent has
    # nothing to show that the patient asked for it.
    if source == v.STAFF and not (isinstance(evidence, str) and evidence.strip()):
        return ["required when staff record a consent: the signed form's reference"]
    if evidence is not None and not isinstance(evidence, str):
        return ["must be a string"]
    return []


def _sensitive_problems(sensitive) -> list:
    if isinstance(sensitive, str):
        return ["must be a list of sensitivity labels"]
    sensitive = list(sensitive)
    if any(not isinstance(s, str) for s in sensitive):
        return ["sensitivity labels are strings"]
    return [f"unknown sensitivity label: {_shown(s)}"
            for s in sorted(set(sensitive) - v.SENSITIVE_LABELS)]


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
