"""Schemas of the patient's access log (GET /v1/me/access-log)."""
import marshmallow as ma
from marshmallow import validate

from models.audit import ACTOR_TYPES, OUTCOMES
from api.schemas.common import StrictSchema


class AccessLogQuery(StrictSchema):
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100),
                              metadata={"description": "entries per page (1-100, default 50)"})
    cursor = ma.fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "`next_cursor` of the previous page; leave out for the newest entries"})


class AccessLogActorOut(ma.Schema):
    type = ma.fields.String(required=True, validate=validate.OneOf(ACTOR_TYPES))
    id = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "the hospital id, the staff member's id or the patient id; null for the "
                       "system"})
    name = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "the hospital's name; \"support staff\" for staff; otherwise null"})


class AccessLogItemOut(ma.Schema):
    at = ma.fields.DateTime(required=True, metadata={"description": "when it happened (UTC)"})
    actor = ma.fields.Nested(AccessLogActorOut, required=True, metadata={"description": "who"})
    action = ma.fields.String(required=True, metadata={
        "description": "what, as a dotted name: profile.read, records.list, records.read, "
                       "records.export, bundle.ingest, consent.grant, session.end, "
                       "password.change, activation_code.issue, account.register, ..."})
    purpose = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "why (treatment, caregiving, research, ...), when one was given"})
    consent_id = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "the consent that allowed it, when one did"})
    record_id = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "the record it concerned, when it concerned one"})
    issued_by = ma.fields.Nested(AccessLogActorOut, required=True, allow_none=True, metadata={
        "description": "for account.register: who issued the activation code that opened the "
                       "account (a hospital, by name, or support staff); otherwise null"})
    outcome = ma.fields.String(required=True, validate=validate.OneOf(OUTCOMES))


class AccessLogPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AccessLogItemOut), required=True,
                           metadata={"description": "newest first"})
    next_cursor = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "pass as `cursor` for the next (older) page; null on the last page"})


class CheckpointOut(ma.Schema):
    """GET /v1/audit/checkpoint: the newest signed checkpoint of the audit chain."""
    chain = ma.fields.String(required=True, metadata={"description": "the chain (\"main\")"})
    seq = ma.fields.Integer(required=True, metadata={
        "description": "sequence number of the chain's entry the checkpoint fixes"})
    hash = ma.fields.String(required=True, metadata={
        "description": "that entry's chain hash (64 hex digits)"})
    at = ma.fields.String(required=True, metadata={
        "description": "when the checkpoint was made: ISO 8601 UTC with milliseconds, exactly "
                       "the text that was signed"})
    signature = ma.fields.String(required=True, metadata={
        "description": "\"ed25519:\" and the base64url signature (no padding) over "
                       "b\"phr-audit-checkpoint/v1\\x00\" followed by the sorted-key compact "
                       "UTF-8 JSON of {at, chain, hash, seq}"})
    public_key = ma.fields.String(required=True, metadata={
        "description": "base64 of the 32-byte Ed25519 public key that verifies the signature"})
