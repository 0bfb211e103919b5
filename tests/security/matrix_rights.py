"""Rows of the authorization matrix for the data-subject request queue (support staff act on
every patient's requests: only a missing id is tested beside their own world's)."""
from tests.security.audiences import STAFF


def rows(row_class) -> dict:
    def step(body=None):
        return row_class({STAFF: 200}, foreign=404, ids={"request_id": "request"},
                         fixed=("request_id",), body=body, fresh=True)

    def reason(world, audience, ids):
        return {"reason": "Cần thêm thời gian đối chiếu hồ sơ"}

    def outcome(world, audience, ids):
        return {"outcome": "Đã gửi bản sao qua ứng dụng"}
    return {
        ("GET", "/v1/staff/requests"): row_class({STAFF: 200}),
        ("POST", "/v1/staff/requests/{request_id}/acknowledge"): step(),
        ("POST", "/v1/staff/requests/{request_id}/extend"): step(reason),
        ("POST", "/v1/staff/requests/{request_id}/complete"): step(outcome),
        ("POST", "/v1/staff/requests/{request_id}/refuse"): step(reason),
    }
