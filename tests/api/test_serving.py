"""The waitress arguments `python wsgi.py` serves with."""
from api.config import load_config
from api.serving import listen_url, serve_options


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
