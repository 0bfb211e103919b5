"""Push devices: an FCM registration token per device, moved to whoever registers it last, and
unlinked when its session signs out."""
from security.codes import opaque_id
from services.errors import InvalidInput, NotFound
from services.signin.sessions import DEVICE_TOKEN_PREFIX
from services import sealing


def register(ctx, patient_id: str, session_id: str, body: dict) -> dict:
    """{"id"} of the device holding `body["token"]` (an FCM registration token). Raises
    InvalidInput for a trusted device token sent by mistake: that one must never leave the
    device, let alone be pushed to."""
    token = body["token"]
    if token.startswith(DEVICE_TOKEN_PREFIX):
        raise InvalidInput("This is a trusted device token, not a push token.",
                           errors={"token": ["Send the FCM registration token here."]})
    token_hash = ctx.peppered_hash("push-token", token)
    fields = {k: body[k] for k in ("platform", "app_version", "language") if body.get(k)}
    device = ctx.repos.devices.register(
        opaque_id("dvc"), token_hash, ctx.cipher.encrypt(token, sealing.device_token(token_hash)),
        patient_id, session_id, fields)
    if body.get("language"):
        ctx.repos.patients.set_fields(patient_id, {"language": body["language"]})
    return {"id": device["_id"]}


def unregister(ctx, patient_id: str, device_id: str) -> None:
    """Raises NotFound (also for another patient's device)."""
    if not ctx.repos.devices.remove(patient_id, device_id):
        raise NotFound("No such device.")


def token_of(ctx, device: dict) -> str:
    return ctx.cipher.decrypt(device["token"], sealing.device_token(device["token_hash"]))
