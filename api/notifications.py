"""/v1/me/devices and /v1/me/notifications: push devices, the in-app inbox, what to mute."""
from api.guard import claims, require
from api.json_body import Blueprint
from api.schemas.notifications import (DeviceIn, DeviceOut, NotificationPageOut,
                                       NotificationQuery, PreferencesIn, PreferencesOut)
from api.extensions import ctx
from services.operations import devices, notify
from services.signin.tokens import PATIENT

blp = Blueprint("notifications", __name__, url_prefix="/v1/me",
                description="Push devices and notifications")


@blp.post("/devices")
@require(PATIENT)
@blp.arguments(DeviceIn)
@blp.response(201, DeviceOut)
def register_device(body):
    """Register this device's push token (a token registered by another account moves here)."""
    token = claims()
    return devices.register(ctx(), token["sub"], token["sid"], body)


@blp.delete("/devices/<device_id>")
@require(PATIENT)
@blp.response(204)
def remove_device(device_id):
    """Stop pushes to a device."""
    devices.unregister(ctx(), claims()["sub"], device_id)


@blp.get("/notifications")
@require(PATIENT)
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, NotificationPageOut)
def inbox(query):
    """Every notification, pushed or muted, newest first."""
    return notify.inbox(ctx(), claims()["sub"], **query)


@blp.post("/notifications/<notification_id>/read")
@require(PATIENT)
@blp.response(204)
def mark_read(notification_id):
    """Mark a notification as read."""
    notify.mark_read(ctx(), claims()["sub"], notification_id)


@blp.get("/notification-preferences")
@require(PATIENT)
@blp.response(200, PreferencesOut)
def get_preferences():
    """Which kinds are muted (security notifications never are)."""
    return notify.preferences(ctx(), claims()["sub"])


@blp.put("/notification-preferences")
@require(PATIENT)
@blp.arguments(PreferencesIn)
@blp.response(200, PreferencesOut)
def set_preferences(body):
    """Mute kinds (the inbox still lists them); security kinds are refused."""
    return notify.set_muted(ctx(), claims()["sub"], body["muted"])
