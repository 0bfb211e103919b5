"""Every operation of the OpenAPI document x every audience x own, foreign and missing ids gets
the status its row in tests/security/matrix_table.py says; a foreign id answers exactly like a
missing one; no refusal, and nothing `other_patient` is shown, carries another patient's data."""
import json

import pytest

from api.errors import PROBLEM_JSON
from tests.security.audiences import ANONYMOUS, AUDIENCES, OTHER_PATIENT, PATIENTS
from tests.security.matrix_table import MATRIX

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
CASES = ("missing", "foreign", "own")


def test_every_documented_operation_has_a_row(shared_world):
    document = shared_world.client.get("/v1/openapi.json").json
    documented = {(method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method in METHODS}
    assert documented - set(MATRIX) == set(), "operations without a row in matrix_table.py"
    assert set(MATRIX) - documented == set(), "rows for operations the document lacks"


@pytest.mark.parametrize("operation", sorted(MATRIX), ids=" ".join)
def test_authorization_matrix(operation, request):
    row = MATRIX[operation]
    world = request.getfixturevalue("fresh_world" if row.fresh else "shared_world")
    failures, answers = [], {}
    # Refusals and foreign ids first: an own call may end a session or revoke a consent.
    for case in CASES:
        for audience in AUDIENCES:
            ids = _ids(world, row, audience, case)
            if ids is None:
                continue
            response, sent = _call(world, operation, row, audience, ids)
            answers[audience, case] = response
            failures += _check(world, row, audience, case, response, sent)
    for audience in AUDIENCES:
        if (audience, "foreign") in answers:
            failures += _same_as_missing(audience, answers[audience, "foreign"],
                                         answers[audience, "missing"])
    assert not failures, f"{' '.join(operation)}:\n" + "\n".join(failures)


def _ids(world, row, audience: str, case: str) -> dict | None:
    """The placeholders' values for a case, or None when the row has no such case."""
    if case != "own" and not row.ids:
        return None
    varied = [name for name in row.ids if name not in row.fixed]
    if case == "foreign" and not varied:
        return None  # nothing of the path can belong to someone else
    values = {}
    for name, kind in row.ids.items():
        own, foreign = world.ids_for(audience, kind)
        if case == "own" or (name not in varied and varied):
            values[name] = own
        else:
            values[name] = foreign if case == "foreign" else world.missing_id(kind)
    return values


def _call(world, operation, row, audience: str, ids: dict):
    method, template = operation
    path = template.format(**ids)
    body = row.body(world, audience, ids) if row.body else None
    response = world.client.open(path, method=method, json=body,
                                 headers={**row.headers, **world.headers(audience, row.token)})
    return response, f"{path} {json.dumps(body)}"


def _check(world, row, audience: str, case: str, response, sent: str) -> list[str]:
    where = f"{audience:>14} {case:>7} id: {response.status_code}"
    expected = row.expected(audience, case)
    failures = []
    if response.status_code != expected:
        failures.append(f"{where}, expected {expected}: {response.get_data(as_text=True)[:300]}")
    if response.status_code >= 400 and response.mimetype != PROBLEM_JSON:
        failures.append(f"{where}: an error as {response.mimetype}, not problem+json")
    # other_patient shares with nobody: even its own answers show no one else (public rows
    # answer what their body asked, which is not the audience's).
    if response.status_code >= 400 or (audience == OTHER_PATIENT and ANONYMOUS not in row.allowed):
        failures += [f"{where}: shows another patient's {canary!r}"
                     for canary in _leaked(world, audience, response, sent)]
    return failures


def _leaked(world, audience: str, response, sent: str) -> list[str]:
    """Other patients' telltale strings in the answer, but for those the request named."""
    text = response.get_data(as_text=True)
    others = world.canaries_except(audience if audience in PATIENTS else None)
    return sorted(c for c in others if c in text and c not in sent)


def _same_as_missing(audience: str, foreign, missing) -> list[str]:
    """A foreign id must not be told apart from a missing one: same status, same problem."""
    if (foreign.status_code, foreign.get_data()) == (missing.status_code, missing.get_data()):
        return []
    return [f"{audience:>14}: foreign id answers {foreign.status_code} "
            f"{foreign.get_data(as_text=True)[:200]}, a missing one {missing.status_code} "
            f"{missing.get_data(as_text=True)[:200]}"]
