"""The engine's values: who is granted (Grantee), what was consented (Consent) and what the
engine answers (Decision). Frozen: a change of state is a new value (see consent.lifecycle).

Consent mirrors the FHIR R4 Consent resource, flattened to the one permit provision this
system writes:

    id, patient_id        Consent.id, Consent.patient
    grantee               Consent.provision.actor (role: the recipient of the data)
    categories            Consent.provision.class / code (our record categories, or ALL;
                          ["all"] as stored is read as ALL)
    sensitive             Consent.provision.securityLabel (the sensitivity labels it covers)
    purpose               Consent.provision.purpose
    period_start/_end     Consent.provision.period (start inclusive, end exclusive)
    status                Consent.status (consent-state-codes)
    source, evidence      Consent.source[x]: the app, or staff with the signed form's reference
    recorded_by/_at       Consent.performer / Consent.dateTime
    approved_by/_at       a consent recorded by staff: the second staff account that approved it
                          (four eyes); rejected_by/_at when it refused it (status rejected)
    revoked_at/_by        when and by whom it was withdrawn (status becomes inactive)
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from consent import vocabulary as v

_NATIONAL_ID = re.compile(r"\d{12}")


@dataclass(frozen=True)
class Grantee:
    """Who a consent is given to, and who asks for access (the accessor): the same type, so
    "grantee equals accessor" is plain equality of kind and key.

    `key` is an opaque identifier. For a hospital it is the hospital's id. For a person it is
    the keyed hash of their national ID that the services compute (services.patients
    .national_id_hash): the engine never holds a plaintext national ID, and compares keys only.
    """
    kind: str
    key: str

    def __post_init__(self):
        if self.kind not in v.GRANTEE_KINDS:
            raise ValueError(f"grantee kind must be one of {sorted(v.GRANTEE_KINDS)}")
        if not isinstance(self.key, str) or not self.key:
            raise ValueError("grantee key must be a non-empty string")
        # A safety net, not a check of the hash: a plaintext national ID (12 digits, the CCCD)
        # handed over by mistake would otherwise end up in receipts and audit entries.
        if self.kind == v.PERSON and _NATIONAL_ID.fullmatch(self.key):
            raise ValueError("a person grantee's key is the hash of the national ID, not the ID")

    @classmethod
    def hospital(cls, hospital_id: str) -> "Grantee":
        return cls(v.HOSPITAL, hospital_id)

    @classmethod
    def person(cls, national_id_hash: str) -> "Grantee":
        return cls(v.PERSON, national_id_hash)


def require_aware(name: str, moment: datetime | None, optional: bool = False) -> None:
    """Raises ValueError unless `moment` is a timezone-aware datetime: comparing naive and aware
    datetimes raises at decision time, and a naive one has no single meaning to sign."""
    if moment is None and optional:
        return
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _label_set(name: str, values) -> frozenset:
    if isinstance(values, str) or not all(isinstance(x, str) for x in values):
        raise ValueError(f"{name} must be a collection of strings")
    return frozenset(values)


def _categories(values) -> frozenset | v.AllCategories:
    """ALL, or the categories as a frozenset. The stored form ["all"] is read as ALL: left as a
    set holding the word "all", it would quietly cover nothing."""
    if values is v.ALL:
        return values
    values = _label_set("categories", values)
    if v.ALL_WORD not in values:
        return values
    if values == {v.ALL_WORD}:
        return v.ALL
    raise ValueError('"all" cannot be combined with other categories')


@dataclass(frozen=True)
class Consent:
    """One consent, as the services load it. Construction checks the shape the engine relies
    on (raises ValueError); whether the words are known is validate_new_consent's business, so
    an old consent naming a retired category still loads and simply covers nothing new."""
    id: str
    patient_id: str
    grantee: Grantee
    categories: frozenset | v.AllCategories
    purpose: str
    period_start: datetime
    period_end: datetime | None
    status: str
    source: str
    evidence: str | None
    recorded_by: str
    recorded_at: datetime
    sensitive: frozenset = field(default=frozenset())
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revocation_evidence: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    rejected_by: str | None = None
    rejected_at: datetime | None = None

    def __post_init__(self):
        if not isinstance(self.grantee, Grantee):
            raise ValueError("grantee must be a Grantee")
        object.__setattr__(self, "categories", _categories(self.categories))
        object.__setattr__(self, "sensitive", _label_set("sensitive", self.sensitive))
        if self.status not in v.STATUSES:
            raise ValueError(f"status must be one of {sorted(v.STATUSES)}")
        if self.source not in v.SOURCES:
            raise ValueError(f"source must be one of {sorted(v.SOURCES)}")
        if self.source == v.STAFF and not self.evidence:
            raise ValueError("a consent recorded by staff must name its evidence")
        require_aware("period_start", self.period_start)
        require_aware("period_end", self.period_end, optional=True)
        require_aware("recorded_at", self.recorded_at)
        require_aware("revoked_at", self.revoked_at, optional=True)
        require_aware("approved_at", self.approved_at, optional=True)
        require_aware("rejected_at", self.rejected_at, optional=True)
        self._check_revocation()
        if (self.approved_at is None) != (self.approved_by is None) \
                or (self.rejected_at is None) != (self.rejected_by is None):
            raise ValueError("a decision's time and who made it go together")

    def _check_revocation(self):
        # A revocation is all three facts or none: withdrawn, by whom, and the state it leaves.
        if (self.revoked_at is None) != (self.revoked_by is None):
            raise ValueError("revoked_at and revoked_by go together")
        if self.revoked_at is not None and self.status != v.INACTIVE:
            raise ValueError("a revoked consent is inactive")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def second_pair_of_eyes(self) -> bool:
        """Whether the consent may be in force as far as who made it goes: one the patient gave
        in the app, or one recorded by staff and approved by another account."""
        if self.source != v.STAFF:
            return True
        return self.approved_by is not None and self.approved_by != self.recorded_by

    @property
    def covered_labels(self) -> frozenset:
        """The sensitivity labels this consent lets through: those it names, a retired label
        read as the labels it stood for (vocabulary.RETIRED_LABELS)."""
        covered = set(self.sensitive)
        for label in self.sensitive & v.RETIRED_LABELS.keys():
            covered |= v.RETIRED_LABELS[label]
        return frozenset(covered)

    def covers_category(self, category: str) -> bool:
        if self.categories is v.ALL:
            return category in v.CATEGORIES
        return category in self.categories


PERMIT = "permit"
DENY = "deny"


@dataclass(frozen=True)
class Decision:
    """The engine's answer. `reason` is a code from consent.reasons (GRANTED on permit), `text`
    a sentence for the audit log and support staff; neither is for the person denied, who must
    not learn whether a patient, a consent or a sensitive record exists. `consent_id` is the
    consent that permitted, to record with the access; None on deny."""
    effect: str
    reason: str
    text: str
    consent_id: str | None = None

    @property
    def permitted(self) -> bool:
        return self.effect == PERMIT
