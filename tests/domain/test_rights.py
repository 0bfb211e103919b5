"""The request queue without an app: a step decided on a request as it was read holds only
while that request still stands so (the due day staff sort by is never left stale)."""
import pytest

from services.errors import Conflict
from services.rights import queue, requests
from tests.domain import world


def test_an_acknowledgement_read_before_an_extension_is_refused_not_stale(ctx, monkeypatch):
    hospital = world.hospital(ctx)
    _, patient_id = world.registered(ctx, hospital)
    filed = requests.file(ctx, patient_id, {"kind": "access", "details": "Bản sao"})
    stale = ctx.repos.data_requests.get_any(filed["id"])
    queue.extend(ctx, filed["id"], "stf_a", "Cần thêm thời gian")
    monkeypatch.setattr(ctx.repos.data_requests, "get_any", lambda request_id: dict(stale))
    with pytest.raises(Conflict):
        queue.acknowledge(ctx, filed["id"], "stf_b")
    monkeypatch.undo()
    done = queue.acknowledge(ctx, filed["id"], "stf_b")
    stored = ctx.repos.data_requests.get_any(filed["id"])
    assert stored["due"] == stored["complete_by"] == done["complete_by"] > filed["complete_by"]


def test_an_extension_read_while_received_is_refused_once_acknowledged(ctx, monkeypatch):
    hospital = world.hospital(ctx)
    _, patient_id = world.registered(ctx, hospital)
    filed = requests.file(ctx, patient_id, {"kind": "deletion", "details": "Xóa số đo"})
    stale = ctx.repos.data_requests.get_any(filed["id"])
    queue.acknowledge(ctx, filed["id"], "stf_a")
    monkeypatch.setattr(ctx.repos.data_requests, "get_any", lambda request_id: dict(stale))
    with pytest.raises(Conflict):
        queue.extend(ctx, filed["id"], "stf_b", "Cần thêm thời gian")
