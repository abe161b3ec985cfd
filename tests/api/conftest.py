"""The schemathesis run's counts, printed at the end of the test session."""

from .support import FUZZ_SUMMARY


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in config.stash.get(FUZZ_SUMMARY, []):
        terminalreporter.write_line(line)
