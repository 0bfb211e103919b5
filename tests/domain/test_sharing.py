"""The sharing domain without an app: a hospital reads another's records only under the
patient's consent, and not a moment after it is withdrawn."""
import pytest

from services.errors import Forbidden
from services.sharing import consents, shared_access
from tests.domain import world


def test_a_hospital_reads_under_consent_and_not_after_the_revoke(ctx):
    first, second = world.hospital(ctx), world.hospital(ctx, "Bệnh viện Nhi")
    national_id, patient_id = world.person_with_results(ctx, first)
    with pytest.raises(Forbidden):
        shared_access.hospital_search(ctx, second, national_id, "treatment")
    me = {"type": "patient", "id": patient_id}
    granted = consents.grant(ctx, patient_id, {"grantee": {"type": "hospital", "id": second},
                                               "categories": ["lab"], "purpose": "treatment"},
                             actor=me)
    page = shared_access.hospital_search(ctx, second, national_id, "treatment")
    assert [item["category"] for item in page["items"]] == ["lab"]
    consents.revoke(ctx, patient_id, granted["id"], actor=me)
    with pytest.raises(Forbidden):
        shared_access.hospital_search(ctx, second, national_id, "treatment")


def test_a_consent_recorded_by_staff_permits_nothing_until_a_second_account_approves(ctx):
    first, second = world.hospital(ctx), world.hospital(ctx, "Bệnh viện Nhi")
    national_id, patient_id = world.person_with_results(ctx, first)
    body = {"grantee": {"type": "hospital", "id": second}, "categories": ["lab"],
            "purpose": "treatment"}
    recorded = consents.grant(ctx, patient_id, body, actor={"type": "staff", "id": "stf_a"},
                              evidence="Phiếu đồng ý số 12")
    assert recorded["status"] == "pending-approval"
    with pytest.raises(Forbidden):
        shared_access.hospital_search(ctx, second, national_id, "treatment")
    with pytest.raises(Forbidden):
        consents.decide(ctx, recorded["id"], "stf_a", approved=True)
    consents.decide(ctx, recorded["id"], "stf_b", approved=True)
    assert shared_access.hospital_search(ctx, second, national_id, "treatment")["items"]
