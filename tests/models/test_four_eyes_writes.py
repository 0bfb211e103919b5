"""The conditional writes behind a four-eyes decision refuse the account that recorded the item
by themselves (defence in depth: the service refuses it first, from the same document)."""
from datetime import datetime, timezone

import mongomock
import pytest

from models.indexes import ensure_indexes
from models.repositories import Repositories

AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
RECORDER, APPROVER = "staff:stf_recorder", "staff:stf_approver"


@pytest.fixture
def repos():
    """The repositories over an embedded database of their own: no app."""
    db = mongomock.MongoClient(tz_aware=True).phr
    ensure_indexes(db)
    repos = Repositories(db)
    repos.consents.insert({"_id": "cns_1", "patient_id": "pat_1", "status": "proposed",
                           "revoked_at": None, "recorded_by": RECORDER, "recorded_at": AT})
    repos.representatives.insert({"_id": "rep_1", "child_id": "pat_1", "status": "proposed",
                                  "recorded_by": RECORDER, "recorded_at": AT})
    return repos


@pytest.mark.parametrize("kind, item", [("consents", "cns_1"), ("representatives", "rep_1")])
def test_the_recorder_cannot_decide_their_own_item_even_past_the_service(repos, kind, item):
    store = getattr(repos, kind)
    fields = {"status": "active", "approved_by": RECORDER, "approved_at": AT}
    assert store.decide(item, RECORDER, fields) is False
    assert store.get_by_id(item)["status"] == "proposed"
    assert store.decide(item, APPROVER, {**fields, "approved_by": APPROVER}) is True
    assert store.decide(item, APPROVER, fields) is False  # decided already
