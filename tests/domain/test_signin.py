"""The sign-in domain without an app: a hospital's code opens one registration, the password
step hands out a step token only, and wrong passwords lock the path."""
import pytest

from services.errors import ActivationFailed, InvalidCredentials, TooManyAttempts
from services.operations import admin
from services.signin import auth, registration
from tests.domain import world


def test_a_code_from_the_hospital_that_saw_the_person_registers_them_once(ctx):
    hospital = world.hospital(ctx)
    national_id, patient_id = world.person_with_results(ctx, hospital)
    code = registration.issue_activation_code(ctx, national_id,
                                              {"type": "hospital", "id": hospital})
    assert code["status"] == "active"
    registered = registration.register(ctx, national_id, code["activation_code"], world.PASSWORD,
                                       {})
    assert registered == {"id": patient_id}
    with pytest.raises(ActivationFailed):
        registration.register(ctx, national_id, code["activation_code"], world.PASSWORD, {})
    step = auth.login(ctx, "patient", national_id, world.PASSWORD)
    assert list(step) == ["enrollment_token"]
    claims = ctx.jwt.decode(step["enrollment_token"])
    assert (claims["aud"], claims["sub"]) == ("enrollment", patient_id)


def test_wrong_passwords_lock_the_path_even_for_the_right_one(ctx):
    admin.create_staff(ctx, "desk.one", world.PASSWORD)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            auth.login(ctx, "staff", "desk.one", world.PASSWORD + "x")
    with pytest.raises(TooManyAttempts):  # the fifth wrong one locks the path
        auth.login(ctx, "staff", "desk.one", world.PASSWORD + "x")
    with pytest.raises(TooManyAttempts):
        auth.login(ctx, "staff", "desk.one", world.PASSWORD)
