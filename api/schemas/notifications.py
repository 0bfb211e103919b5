"""Schemas of push devices, the in-app inbox and notification preferences."""
import marshmallow as ma
from marshmallow import validate

from api.schemas.common import StrictSchema, text_field
from notifications.messages import KINDS, mutable
from services.operations.notify import DELIVERY_STATUSES

MUTABLE_KINDS = sorted(kind for kind in KINDS if mutable(kind))


class DeviceIn(StrictSchema):
    token = text_field(4096, required=True, load_only=True,
                       metadata={"description": "the FCM registration token (or APNs token via "
                                                "FCM); not the trusted_device_token"})
    platform = ma.fields.String(required=True, validate=validate.OneOf(["android", "ios", "web"]))
    app_version = text_field(32)
    language = ma.fields.String(validate=validate.OneOf(["vi", "en"]),
                                metadata={"description": "language of notifications"})


class DeviceOut(ma.Schema):
    id = ma.fields.String(required=True)


class NotificationQuery(StrictSchema):
    cursor = text_field(512)
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class NotificationOut(ma.Schema):
    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    read_at = ma.fields.DateTime(required=True, allow_none=True)
    data = ma.fields.Dict(required=True, metadata={"description": "opaque ids to fetch with"})
    delivery_status = ma.fields.String(
        required=True, validate=validate.OneOf(DELIVERY_STATUSES),
        metadata={"description": "what became of the push to the patient's devices: `pending` "
                                 "(not yet sent, or waiting to be retried), `sent` (a device "
                                 "got it; the development log sender counts as sent), "
                                 "`failed` (given up: every device failed or its token was "
                                 "refused), `muted` (its kind was muted, so only the inbox has "
                                 "it), `no_device` (no device was registered to send it to)"})


class NotificationPageOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationOut), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


class PreferencesIn(StrictSchema):
    # The kinds are documented here and checked by services.operations.notify, which says which
    # ones are security notifications (never muted).
    muted = ma.fields.List(ma.fields.String(validate=validate.Length(max=64),
                                            metadata={"enum": MUTABLE_KINDS}),
                           required=True, validate=validate.Length(max=20))


class PreferencesOut(ma.Schema):
    muted = ma.fields.List(ma.fields.String(), required=True)
    mutable = ma.fields.List(ma.fields.String(), required=True,
                             metadata={"description": "kinds that may be muted; security "
                                                      "notifications never can"})
