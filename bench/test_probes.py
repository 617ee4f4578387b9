"""testinfra peer of the benchmark: one `host.run` per go-live probe (the
files bench-probes writes), over testinfra's ssh backend."""

import os

import pytest

DIR = os.environ["SHIPSHAPE_BENCH_COMMANDS"]
COMMANDS = sorted(os.listdir(DIR))


@pytest.mark.parametrize("name", COMMANDS)
def test_probe(host, name):
    with open(os.path.join(DIR, name)) as f:
        result = host.run(f.read())
    # Probes print something or exit 0; a failed connection is rc 255.
    assert result.rc != 255, result.stderr
