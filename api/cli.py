"""Flask CLI commands for real deployments: they work on the server's database, MONGO_URI.

The embedded database (no MONGO_URI) lives inside the process of `python wsgi.py`: a command run
as a process of its own would open an empty database of its own, and quietly verify, export or
deliver nothing (or print a hospital secret that works nowhere). So each command refuses it with
one line, except under TESTING, where the suite invokes them through app.test_cli_runner() in
the app's own process, on the app's own database: the same database the test's requests use.
"""
import functools
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from services.audit import verify
from services.operations import admin, hospitals, key_rotation
from services.records import hospital_export
from services.errors import DomainError, InvalidInput
from api.extensions import ctx


def register(app) -> None:
    for command in (create_hospital, create_staff, rotate_hospital_secret, deactivate_hospital,
                    mark_hospital_sensitive,
                    disable_patient, disable_staff, rotate_keys, export_hospital,
                    verify_audit, audit_checkpoint, create_witness, send_notifications):
        app.cli.add_command(command)


EMBEDDED_REFUSAL = ("The embedded database lives inside the running server (python wsgi.py); "
                    "this command would see an empty one of its own. It needs MONGO_URI (a "
                    "MongoDB the server also uses).")


def server_database_command(command):
    """with_appcontext, and a one-line refusal (exit 1) on the embedded database outside
    TESTING: see the module's docstring."""
    @functools.wraps(command)
    def checked(*args, **kwargs):
        if not current_app.config["MONGO_URI"] and not current_app.config.get("TESTING"):
            raise click.ClickException(EMBEDDED_REFUSAL)
        return command(*args, **kwargs)
    return with_appcontext(checked)


def _run(action, *args):
    """Run a service call on the app's context; a domain error becomes a one-line CLI error,
    not a traceback."""
    try:
        return action(ctx(), *args)
    except InvalidInput as exc:
        raise click.ClickException("; ".join(m for msgs in (exc.errors or {}).values()
                                             for m in msgs) or exc.detail) from None
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None


@click.command("create-hospital")
@click.argument("name")
@click.option("--hospital-id", help="stable id (default: random)")
@click.option("--scope", "scopes", multiple=True, help="repeat for several (default: all)")
@server_database_command
def create_hospital(name, hospital_id, scopes):
    """Create a hospital API client; prints its secret once."""
    creds = _run(hospitals.create_hospital, name, hospital_id, list(scopes) or None)
    for key, value in creds.items():
        click.echo(f"{key}: {value}")
    click.echo("Store the client_secret now: it is kept only as a hash.")


@click.command("rotate-hospital-secret")
@click.argument("hospital_id")
@click.option("--grace-hours", type=click.IntRange(0, 168), default=None,
              help="how long the old secret keeps working (default: CLIENT_SECRET_GRACE_HOURS)")
@server_database_command
def rotate_hospital_secret(hospital_id, grace_hours):
    """Issue a new client secret; prints it once. The old one works for the grace period."""
    rotated = _run(hospitals.rotate_secret, hospital_id, grace_hours)
    click.echo(f"client_secret: {rotated['client_secret']}")
    click.echo(f"the previous secret works until {rotated['previous_secret_valid_until']}")


@click.command("deactivate-hospital")
@click.argument("hospital_id")
@server_database_command
def deactivate_hospital(hospital_id):
    """Stop a hospital client: its tokens stop working at once."""
    _run(hospitals.deactivate, hospital_id)
    click.echo(f"hospital {hospital_id} deactivated")


@click.command("mark-hospital-sensitive")
@click.argument("hospital_id")
@click.option("--label", "labels", multiple=True, required=True,
              help="a sensitivity label (hiv, mental-health, ...); repeat for several")
@server_database_command
def mark_hospital_sensitive(hospital_id, labels):
    """Mark a hospital as a sensitive specialty: all its records carry these labels."""
    _run(hospitals.mark_sensitive, hospital_id, list(labels))
    click.echo(f"hospital {hospital_id}: every record now carries {', '.join(sorted(labels))}")


@click.command("create-staff")
@click.argument("username")
@click.password_option(help="prompted when not given")
@click.option("--role", "roles", multiple=True, type=click.Choice(admin.ROLES),
              help="repeat for several (default: support)")
@server_database_command
def create_staff(username, password, roles):
    """Create a staff account; TOTP is set up at first sign-in."""
    staff_id = _run(admin.create_staff, username, password, list(roles) or None)
    click.echo(f"staff id: {staff_id}. Sign in to set up the authenticator app.")


@click.command("disable-patient")
@click.option("--national-id", prompt=True, hide_input=True,
              help="prompted when not given (keeps it out of shell history)")
@server_database_command
def disable_patient(national_id):
    """Disable a patient account: every session ends at once, no sign-in works."""
    patient_id = _run(admin.disable_patient, national_id)
    click.echo(f"patient {patient_id} disabled")


@click.command("disable-staff")
@click.argument("username")
@server_database_command
def disable_staff(username):
    """Disable a support staff account: every session ends at once, no sign-in works."""
    staff_id = _run(admin.disable_staff, username)
    click.echo(f"staff {staff_id} disabled")


@click.command("rotate-keys")
@server_database_command
def rotate_keys():
    """Re-seal every encrypted value with the active data key (see the README), with progress."""
    with click.progressbar(length=key_rotation.total(ctx()), label="re-sealing") as bar:
        counts = key_rotation.rotate(ctx(), progress=bar.update)
    click.echo(f"{counts['documents']} documents visited, {counts['resealed']} values re-sealed, "
               f"{counts['skipped']} changed meanwhile (already current)")
    if counts["unreadable"]:
        raise click.ClickException(f"{counts['unreadable']} values open with no key held (ids in "
                                   "the log); keep the old keys until they are dealt with")


@click.command("export-hospital")
@click.argument("hospital_id")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="folder for records.ndjson and manifest.json")
@server_database_command
def export_hospital(hospital_id, out_dir):
    """Everything a hospital pushed, every version, to files (as GET /v1/hospital/export)."""
    import json
    import os
    os.makedirs(out_dir, mode=0o700, exist_ok=True)
    data_path = os.path.join(out_dir, "records.ndjson")
    manifest = None
    with _owner_only(data_path) as data, click.progressbar(
            length=hospital_export.count(ctx(), hospital_id), label="exporting") as bar:
        for line in hospital_export.lines(ctx(), hospital_id):
            if line.startswith('{"manifest"'):
                manifest = json.loads(line)["manifest"]
                break
            data.write(line)
            bar.update(1)
    with _owner_only(os.path.join(out_dir, "manifest.json")) as handle:
        json.dump(manifest, handle, indent=2)
    click.echo(f"{manifest['lines']} versions written to {data_path}; sha256 {manifest['sha256']}")


def _owner_only(path: str):
    """The file opened for writing, readable by its owner only (it holds clinical records),
    whatever the umask, also when it was there before."""
    import os
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "w", encoding="utf-8")


@click.command("verify-audit")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="entries read per query")
@click.option("--checkpoints", "paths", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="a witness's copy of the signed checkpoints (JSON lines); repeat for several")
@click.option("--seal-legacy-head", is_flag=True,
              help="seal a head written before heads were sealed, once the chain verifies")
@server_database_command
def verify_audit(batch_size, paths, seal_legacy_head):
    """Check the audit chain in seq order against its sealed head and every signed checkpoint
    (AUDIT_CHECKPOINT_FILE, --checkpoints, the database); exit 1 naming the first fault."""
    try:
        anchors = verify.anchors_from(ctx(), paths)  # before the head: see services/audit/verify.py
    except OSError as error:
        raise click.ClickException(f"a checkpoint file cannot be read: {error.strerror}") \
            from None
    head = verify.chain_head(ctx())
    with click.progressbar(length=(head or {}).get("seq", 0), label="checking the audit chain",
                           file=sys.stderr) as bar:
        if seal_legacy_head:
            report = _run(verify.seal_legacy_head, anchors, batch_size, bar.update)
        else:
            report = verify.verify_chain(ctx(), head, anchors, batch_size, bar.update)
    if not report.holds:
        raise click.ClickException(report.describe())
    click.echo(report.describe())
    if seal_legacy_head:
        click.echo("the head is sealed")


@click.command("audit-checkpoint")
@server_database_command
def audit_checkpoint():
    """Sign a checkpoint of the audit chain's head now and write it out (for cron)."""
    signed = _run(verify.checkpoint_now)
    click.echo(f"audit checkpoint written: seq {signed['seq']} at {signed['at']}")


@click.command("create-witness")
@click.argument("name")
@server_database_command
def create_witness(name):
    """Create an audit witness client (reads GET /v1/audit/checkpoint only); prints its secret
    once."""
    creds = _run(hospitals.create_witness, name)
    for key, value in creds.items():
        click.echo(f"{key}: {value}")
    click.echo("Store the client_secret now: it is kept only as a hash.")


@click.command("send-notifications")
@click.option("--once", is_flag=True, help="one round, then exit")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=1.0, show_default=True,
              help="seconds between rounds when nothing was due")
@click.option("--worker-id", default=None, help="default: host and process id")
@server_database_command
def send_notifications(once, interval, worker_id):
    """Deliver pending notifications to devices (several workers may run at once)."""
    import threading

    from models.db import utcnow
    from notifications.worker import deliver_once, deliver_until, default_worker_id
    from services.operations.push_outbox import MongoOutbox, make_sender
    worker_id = worker_id or default_worker_id()
    sender = make_sender(current_app.config)
    if not current_app.config.get("FCM_CREDENTIALS_FILE"):
        click.echo("no FCM_CREDENTIALS_FILE: pushes go to the log and the inbox only", err=True)
    outbox = MongoOutbox(ctx())

    def echo(counts: dict) -> None:
        click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
    if once:
        counts = deliver_once(outbox, sender, worker_id=worker_id, now=utcnow())
        if counts["claimed"]:
            echo(counts)
        return
    # Runs until interrupted: nothing sets the event.
    deliver_until(threading.Event(), outbox, sender, worker_id=worker_id, clock=utcnow,
                  interval=interval, on_round=echo)
