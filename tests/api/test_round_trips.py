"""Request cost in round trips does not grow with the size of the work: counted with the query
recorder (tests/indexcheck: every query, insert and bulk write the application sends) at two
sizes of the same request."""
from tests import factories
from tests.factories import bundle, lab_result, push
from tests.indexcheck import recorder as query_recorder


def queries_of(make_app, send) -> int:
    """Queries the application sends while `send(client, hospital, patient)` runs, after a
    world of one hospital and one patient with results was built."""
    with query_recorder.recording() as recorder:
        app = make_app()
        client = app.test_client()
        with app.app_context():
            hospital = factories.create_hospital()
        patient = factories.Account(national_id=factories.next_national_id())
        push(client, hospital, bundle(*[lab_result(patient.national_id, f"lab-{n}")
                                        for n in range(60)]))
        before = recorder.sent
        send(client, hospital, patient)
        return recorder.sent - before


def rejected_transaction(size: int):
    """A transaction amending `size` stored results, one of them broken: checked whole,
    refused, nothing stored."""
    def send(client, hospital, patient):
        entries = [lab_result(patient.national_id, f"lab-{n}", value=9.9) for n in range(size)]
        del entries[-1]["status"]
        answer = push(client, hospital, bundle(*entries, bundle_type="transaction"))
        assert answer.status_code == 422
    return send


def test_checking_a_transaction_costs_the_same_for_5_entries_as_for_50(make_app):
    small = queries_of(make_app, rejected_transaction(5))
    large = queries_of(make_app, rejected_transaction(50))
    print(f"\nrejected transaction: {small} queries for 5 entries, {large} for 50")
    assert small == large


def batch_of_new_results(size: int):
    def send(client, hospital, patient):
        answer = push(client, hospital, bundle(*[lab_result(patient.national_id, f"new-{n}")
                                                 for n in range(size)]))
        assert [e["response"]["status"] for e in answer.json["entry"]] == ["201 Created"] * size
    return send


def batch_of_amendments(size: int):
    def send(client, hospital, patient):
        answer = push(client, hospital, bundle(*[lab_result(patient.national_id, f"lab-{n}",
                                                            value=8.8) for n in range(size)]))
        assert [e["response"]["etag"] for e in answer.json["entry"]] == ['W/"2"'] * size
    return send


def test_storing_a_batch_costs_the_same_for_5_new_results_as_for_50(make_app):
    small = queries_of(make_app, batch_of_new_results(5))
    large = queries_of(make_app, batch_of_new_results(50))
    print(f"\nbatch of new results: {small} round trips for 5 entries, {large} for 50")
    assert small == large


def test_amending_a_batch_costs_the_same_for_5_results_as_for_50(make_app):
    small = queries_of(make_app, batch_of_amendments(5))
    large = queries_of(make_app, batch_of_amendments(50))
    print(f"\nbatch of amendments: {small} round trips for 5 entries, {large} for 50")
    assert small == large


def batch_for_new_people(size: int):
    """One result each for `size` people the platform has never seen."""
    def send(client, hospital, patient):
        people = [factories.next_national_id() for _ in range(size)]
        answer = push(client, hospital, bundle(*[lab_result(n, f"lab-{n}") for n in people]))
        assert [e["response"]["status"] for e in answer.json["entry"]] == ["201 Created"] * size
    return send


def test_storing_results_for_5_new_people_costs_the_same_as_for_50(make_app):
    small = queries_of(make_app, batch_for_new_people(5))
    large = queries_of(make_app, batch_for_new_people(50))
    print(f"\nbatch for new people: {small} round trips for 5 people, {large} for 50")
    assert small == large



def test_a_records_page_costs_the_same_for_5_records_as_for_50(client, hospital, patient):
    push(client, hospital, bundle(*[lab_result(patient.national_id, f"page-{n}")
                                    for n in range(60)]))

    def cost(limit: int) -> int:
        with query_recorder.recording() as recorder:  # the app's database reports to it too
            page = client.get("/v1/me/records", headers=patient.auth,
                              query_string={"limit": limit})
        assert page.status_code == 200 and len(page.json["items"]) == limit
        return recorder.sent
    small, large = cost(5), cost(50)
    print(f"\nrecords page: {small} round trips for 5 records, {large} for 50")
    assert small == large
