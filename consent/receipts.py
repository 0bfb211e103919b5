"""Consent receipts: the consent's terms in one canonical byte string, and an Ed25519 signature
over it.

Ed25519 rather than HMAC so a receipt is evidence outside the server: the patient, an auditor or
a court checks it with the public key, and only the holder of the private key could have made
it. The services keep the private key out of the database, as they keep the other server keys,
and publish the public one.

The payload is sorted-key compact UTF-8 JSON of the fields that make the consent what it is,
times as ISO 8601 UTC with milliseconds (what MongoDB keeps, so the stored consent gives the same
bytes). A receipt is issued for a state: granting and revoking each give one, and the revocation
receipt carries the revocation fields. What is signed is the payload prefixed with
RECEIPT_CONTEXT, so a signature over a receipt can never pass for one over anything else
signed with the same key.
"""
import base64
import binascii
import json
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from consent import vocabulary as v
from consent.model import Consent

RECEIPT_TYPE = "phr-consent-receipt"
RECEIPT_VERSION = 2  # 2: approved_*/rejected_* (four eyes)
RECEIPT_CONTEXT = b"phr-consent-receipt/v1\x00"
_SCHEME = "ed25519:"


def receipt_payload(consent: Consent) -> bytes:
    """The canonical bytes of the consent's terms and state. Every key is always present (null
    when unset), so two payloads differ exactly when the consents differ in what they allow."""
    body = {
        "type": RECEIPT_TYPE, "version": RECEIPT_VERSION,
        "id": consent.id, "patient_id": consent.patient_id,
        "grantee": {"kind": consent.grantee.kind, "key": consent.grantee.key},
        "categories": ([v.ALL_WORD] if consent.categories is v.ALL
                       else sorted(consent.categories)),
        "sensitive": sorted(consent.sensitive), "purpose": consent.purpose,
        "period_start": iso_utc(consent.period_start), "period_end": iso_utc(consent.period_end),
        "status": consent.status, "source": consent.source, "evidence": consent.evidence,
        "recorded_by": consent.recorded_by, "recorded_at": iso_utc(consent.recorded_at),
        "revoked_at": iso_utc(consent.revoked_at), "revoked_by": consent.revoked_by,
        "revocation_evidence": consent.revocation_evidence,
        "approved_by": consent.approved_by, "approved_at": iso_utc(consent.approved_at),
        "rejected_by": consent.rejected_by, "rejected_at": iso_utc(consent.rejected_at),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign_receipt(payload: bytes, key: Ed25519PrivateKey | bytes) -> str:
    """"ed25519:" and the base64url signature (no padding) of the payload under the private key,
    given as a key object or its 32-byte raw seed. Raises ValueError for a malformed key."""
    signature = _private(key).sign(RECEIPT_CONTEXT + payload)
    return _SCHEME + base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")


def verify_receipt(payload: bytes, signature: str,
                   key: Ed25519PublicKey | Ed25519PrivateKey | bytes) -> bool:
    """Whether `signature` is sign_receipt's over exactly this payload by the key pair's
    private half. `key` is the public key (object or 32 raw bytes; a private key is taken for
    its public half). False for any altered payload or malformed signature, never an error;
    raises ValueError only for a malformed key."""
    public = _public(key)
    if not isinstance(signature, str) or not signature.startswith(_SCHEME):
        return False
    text = signature[len(_SCHEME):]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return False
    try:
        public.verify(raw, RECEIPT_CONTEXT + payload)
    except InvalidSignature:
        return False
    return True


def new_receipt_key() -> bytes:
    """A new private key's 32-byte raw seed, for configuration and tests."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def public_key_of(key: Ed25519PrivateKey | bytes) -> bytes:
    """The 32 raw bytes of the public key that verifies what `key` signs, to publish."""
    return _private(key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def iso_utc(moment: datetime | None) -> str | None:
    """2026-11-25T09:00:00.123Z: UTC, milliseconds, truncated as MongoDB truncates."""
    if moment is None:
        return None
    m = moment.astimezone(timezone.utc)
    # Formatted by hand: strftime's %Y does not pad years before 1000 on every platform.
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:"
            f"{m.second:02d}.{m.microsecond // 1000:03d}Z")


def _private(key) -> Ed25519PrivateKey:
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, (bytes, bytearray)) and len(key) == 32:
        return Ed25519PrivateKey.from_private_bytes(bytes(key))
    raise ValueError("a receipt signing key is an Ed25519 private key or its 32-byte seed")


def _public(key) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, (bytes, bytearray)) and len(key) == 32:
        return Ed25519PublicKey.from_public_bytes(bytes(key))
    raise ValueError("a receipt verifying key is an Ed25519 public key or its 32 raw bytes")
