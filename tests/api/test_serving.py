"""The waitress arguments `python wsgi.py` serves with, and how it starts and stops what runs
beside it."""
import os
import signal
import time

from api.config import load_config
from api.serving import delivers_in_process, delivery_line, listen_url, run, serve_options


def test_serve_options_come_from_the_config():
    config = load_config({"HOST": "::1", "PORT": "8123", "MAX_BODY_BYTES": "1000",
                          "BUNDLE_MAX_BYTES": "5000"})
    # The bundle route's limit; every other path is held to MAX_BODY_BYTES by the parser.
    assert serve_options(config) == {"host": "::1", "port": 8123, "threads": 8,
                                     "max_request_body_size": 5001}


def test_defaults_listen_on_loopback_port_8000_with_the_25_mib_bundle_limit():
    options = serve_options(load_config({}))
    assert (options["host"], options["port"]) == ("127.0.0.1", 8000)
    # waitress refuses at >= this value; Flask at > the limit.
    assert options["max_request_body_size"] == 25 * 1024 * 1024 + 1


def test_listen_url_brackets_ipv6():
    assert listen_url({"host": "::1", "port": 8000}) == "http://[::1]:8000"
    assert listen_url({"host": "127.0.0.1", "port": 8000}) == "http://127.0.0.1:8000"


def test_the_start_up_line_says_where_pushes_are_delivered_from():
    embedded = delivery_line(load_config({}))
    assert "in this process" in embedded and "the log" in embedded
    served = delivery_line(load_config({"MONGO_URI": "mongodb://db.example/phr",
                                        "FCM_CREDENTIALS_FILE": "/etc/phr/fcm.json"}))
    assert "send-notifications" in served and "FCM" in served
    assert delivers_in_process(load_config({}))
    assert not delivers_in_process(load_config({"MONGO_URI": "mongodb://db.example/phr"}))


class ServedUntilStopped:
    """A server whose run() returns at once, as waitress's does after Ctrl-C or SIGTERM."""

    def run(self):
        pass


def test_shutdown_stops_the_background_work_and_waits_for_its_round():
    finished = []

    def push_delivery(stop):
        assert stop.wait(5), "the stop event was never set"
        time.sleep(0.2)  # a round under way ends before the process does
        finished.append(True)

    started = time.monotonic()
    run(ServedUntilStopped(), [push_delivery])
    assert finished == [True] and time.monotonic() - started < 5


class Terminated:
    """A server that is sent SIGTERM while it serves."""

    def __init__(self):
        self.ended_by = None

    def run(self):
        # waitress's loop catches SystemExit (and KeyboardInterrupt) and closes.
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(2)
        except SystemExit as stopped:
            self.ended_by = stopped.code


def test_sigterm_ends_serving_as_ctrl_c_does_and_its_handler_is_put_back():
    outside = []

    def record(signum, frame):  # the test's own: SIGTERM's default would end the test run
        outside.append(signum)
    previous = signal.signal(signal.SIGTERM, record)
    try:
        server = Terminated()
        run(server)
        assert server.ended_by == 0 and outside == []
        assert signal.getsignal(signal.SIGTERM) is record
    finally:
        signal.signal(signal.SIGTERM, previous)
