"""Hospital API clients: creation (CLI, demo seed), secret rotation, deactivation and the
client-credentials token. Audit witnesses (create_witness) are clients of the same kind, kept in
the same collection with `kind: "witness"`: they get a token of their own audience holding the
one scope WITNESS_SCOPE, so they can read the audit checkpoint and nothing else."""
import hmac
from datetime import timedelta

from models import witnesses
from security.codes import client_secret, opaque_id
from services.signin import tokens
from consent import labels_of_text
from consent.vocabulary import SENSITIVE_LABELS
from services.errors import Conflict, InvalidCredentials, InvalidInput, NotFound

DEFAULT_SCOPES = ["records:write", "records:read", "activation-codes:write", "export:read"]
WITNESS_SCOPE = "audit:checkpoint"


def create_hospital(ctx, name: str, hospital_id: str | None = None,
                    scopes: list[str] | None = None) -> dict:
    """Returns the credentials; the secret is shown here once and stored only as a hash.
    Raises Conflict for a taken hospital id."""
    hospital_id = hospital_id or opaque_id("hosp")
    client_id, secret = opaque_id("cli"), client_secret()
    if not ctx.repos.hospitals.insert(hospital_id, name, client_id, _secret_hash(ctx, secret),
                                      scopes or DEFAULT_SCOPES):
        raise Conflict(f"A hospital with id {hospital_id} already exists.")
    return {"hospital_id": hospital_id, "client_id": client_id, "client_secret": secret}


def create_witness(ctx, name: str) -> dict:
    """An outside witness of the audit trail (an auditor's machine that polls the checkpoint):
    returns its credentials, the secret shown here once and stored only as a hash."""
    witness_id, client_id, secret = opaque_id("wit"), opaque_id("cli"), client_secret()
    if not ctx.repos.witnesses.insert(witness_id, name, client_id, _secret_hash(ctx, secret),
                                      [WITNESS_SCOPE]):
        raise Conflict("A client with that id already exists; try again.")
    return {"witness_id": witness_id, "client_id": client_id, "client_secret": secret}


def rotate_secret(ctx, hospital_id: str, grace_hours: int | None = None) -> dict:
    """A new client secret, shown once; the old one keeps working for `grace_hours`
    (CLIENT_SECRET_GRACE_HOURS by default; 0 ends it at once). Raises NotFound, Conflict."""
    grace = ctx.setting("CLIENT_SECRET_GRACE_HOURS") if grace_hours is None else grace_hours
    secret = client_secret()
    valid_until = ctx.now() + timedelta(hours=grace)
    if not ctx.repos.hospitals.get(hospital_id):
        raise NotFound("No hospital with that id.")
    if not ctx.repos.hospitals.replace_secret(hospital_id, _secret_hash(ctx, secret), valid_until,
                                              end_old_tokens=grace == 0):
        raise Conflict("The secret changed meanwhile; try again.")
    return {"hospital_id": hospital_id, "client_secret": secret,
            "previous_secret_valid_until": valid_until}


def deactivate(ctx, hospital_id: str) -> None:
    """The hospital's tokens stop working at once and no new ones are issued."""
    if not ctx.repos.hospitals.deactivate(hospital_id):
        raise NotFound("No hospital with that id.")


def mark_sensitive(ctx, hospital_id: str, labels: list[str]) -> None:
    """Mark a hospital as a sensitive specialty (an HIV clinic, a psychiatric hospital): every
    record it pushed or pushes carries `labels`, so it is shown, and its name with it, only to
    those the patient named these labels for. Raises InvalidInput, NotFound."""
    unknown = sorted(set(labels) - SENSITIVE_LABELS)
    if not labels or unknown:
        raise InvalidInput(f"Labels are {', '.join(sorted(SENSITIVE_LABELS))}.",
                           errors={"labels": [f"Unknown: {', '.join(unknown)}" if unknown
                                              else "Name at least one."]})
    if not ctx.repos.hospitals.add_sensitive_labels(hospital_id, sorted(set(labels))):
        raise NotFound("No hospital with that id.")


def sensitive_labels(ctx, hospital_ids: list[str]) -> dict[str, frozenset]:
    """{hospital id: labels} for the sensitive specialties among these hospitals: marked so by
    an operator, or named so ("Bệnh viện Tâm thần ...", "Phòng khám HIV ..."): a name says
    what its patients are treated for, and every record names its hospital."""
    found = {}
    for hospital_id, (marks, name) in ctx.repos.hospitals.specialties_of(hospital_ids).items():
        labels = frozenset(marks) | labels_of_text(name)
        if labels:
            found[hospital_id] = labels
    return found


def accepts_token(ctx, claims: dict) -> bool:
    """A hospital token works while its hospital is active and its secret generation has not
    been ended by a rotation without grace (checked on every request)."""
    generation = claims.get("sg", 0)
    return (isinstance(generation, int)
            and ctx.repos.hospitals.accepts_token(claims["sub"], generation))


def issue_token(ctx, client_id: str, secret: str) -> dict:
    """Raises InvalidCredentials for an unknown client, a wrong secret or a disabled hospital."""
    hospital = ctx.repos.hospitals.find_by_client_id(client_id)
    generation = _secret_generation(ctx, hospital, secret) if hospital else None
    if generation is None or not hospital["active"]:
        raise InvalidCredentials()
    if hospital.get("kind") == witnesses.WITNESS:
        # Whatever the stored document says, a witness holds its one scope and no other.
        return tokens.hospital_token(ctx, hospital["_id"], [WITNESS_SCOPE], generation,
                                     tokens.WITNESS)
    return tokens.hospital_token(ctx, hospital["_id"], hospital["scopes"], generation)


def _secret_generation(ctx, hospital: dict, secret: str) -> int | None:
    """The generation of the hospital's secret that `secret` is, or None."""
    presented, current = _secret_hash(ctx, secret), hospital.get("secret_generation", 0)
    if hmac.compare_digest(presented, hospital["secret_hash"]):
        return current
    previous = hospital.get("previous_secret_hash")
    if previous and hospital["previous_secret_valid_until"] > ctx.now() \
            and hmac.compare_digest(presented, previous):
        return current - 1
    return None


def _secret_hash(ctx, secret: str) -> str:
    # Client secrets are 256 random bits, so a keyed hash is as strong as a slow one.
    return ctx.peppered_hash("client-secret", secret)
