"""Data-subject requests (services/rights): one document per request, keyed by its patient for
every read; `details` arrive sealed."""
from models.db import require_str


class DataRequests:
    def __init__(self, db):
        self.db = db

    def insert(self, doc: dict) -> None:
        self.db.data_requests.insert_one(doc)

    def get(self, patient_id: str, request_id: str) -> dict | None:
        require_str(patient_id, request_id)
        return self.db.data_requests.find_one({"_id": request_id, "patient_id": patient_id})

    def for_patient(self, patient_id: str, *, before: tuple | None, limit: int) -> list[dict]:
        """Newest first; `before` is the (received_at, _id) of the last item of the page
        before."""
        require_str(patient_id)
        query: dict = {"patient_id": patient_id}
        if before:
            query["$or"] = [{"received_at": {"$lt": before[0]}},
                            {"received_at": before[0], "_id": {"$lt": before[1]}}]
        return list(self.db.data_requests.find(query).sort(
            [("received_at", -1), ("_id", -1)]).limit(limit))
