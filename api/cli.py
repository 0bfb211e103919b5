"""Flask CLI commands for real deployments (they use MONGO_URI like the server)."""
import click
from flask.cli import with_appcontext

from models import staff
from models.db import DuplicateKeyError
from services import hospitals
from services.auth import check_password_policy
from services.context import passwords
from services.errors import InvalidInput


def register(app) -> None:
    app.cli.add_command(create_hospital)
    app.cli.add_command(create_staff)


@click.command("create-hospital")
@click.argument("name")
@click.option("--hospital-id", help="stable id (default: random)")
@click.option("--scope", "scopes", multiple=True, help="repeat for several (default: all)")
@with_appcontext
def create_hospital(name, hospital_id, scopes):
    """Create a hospital API client; prints its secret once."""
    try:
        creds = hospitals.create_hospital(name, hospital_id, list(scopes) or None)
    except DuplicateKeyError:
        raise click.ClickException(f"a hospital with id {hospital_id} already exists")
    for key, value in creds.items():
        click.echo(f"{key}: {value}")
    click.echo("Store the client_secret now: it is kept only as a hash.")


@click.command("create-staff")
@click.argument("username")
@click.password_option(help="prompted when not given")
@with_appcontext
def create_staff(username, password):
    """Create a support staff account; TOTP is set up at first sign-in."""
    try:
        check_password_policy(password, {"username": username})
    except InvalidInput as exc:
        raise click.BadParameter("; ".join(exc.errors["password"]), param_hint="password")
    try:
        staff_id = staff.insert(username, passwords().hash(password))
    except DuplicateKeyError:
        raise click.ClickException(f"the username {username} is taken")
    click.echo(f"staff id: {staff_id}. Sign in to set up the authenticator app.")
