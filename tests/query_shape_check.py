"""A pytest plugin (loaded by tests/conftest.py): records every query shape the application
sends during the run, and fails the run when one is not served by a declared index
(tests/indexcheck/coverage.py), with a report of what and from where.

It judges only what the selected tests sent: a run of a few tests checks their queries."""
import pytest

from models import db
from tests.indexcheck import coverage as index_coverage, recorder as query_recorder

_recorder = query_recorder.Recorder()
_report: list[index_coverage.Report] = []


def pytest_addoption(parser):
    parser.addoption("--query-shapes", action="store_true",
                     help="list every query shape the run sent and the index serving it")


def pytest_configure(config):
    query_recorder.install(_recorder)  # before any app exists: every app's database is watched
    db.add_handle_hook(query_recorder.watch)  # once per process (mutmut runs pytest twice)


def pytest_unconfigure(config):
    query_recorder.uninstall(_recorder)


def pytest_sessionfinish(session, exitstatus):
    shapes = _recorder.shapes()
    if not shapes:
        return
    report = index_coverage.check(shapes)
    _report.append(report)
    if not report.ok and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    every_shape = config.getoption("--query-shapes")
    for report in _report:
        if report.ok:
            terminalreporter.write_line(report.text(every_shape))
        else:
            terminalreporter.section("queries not served by an index", sep="=", red=True)
            terminalreporter.write_line(report.text(every_shape))
