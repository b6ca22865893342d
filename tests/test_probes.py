"""The bad-input probes (tests/probes.py): every user mistake gets one line and exit code 2
(a full disk one line and exit code 1), nothing half-written, no finished run lost; the valid
inputs among them behave correctly. About four minutes on 2 cores."""

from __future__ import annotations

import pytest
from probes import format_failures, run_probes, summary_table


@pytest.mark.slow
def test_every_probe_is_clean():
    results = run_probes(workers=2)
    failing = [r for r in results if not r.clean]
    if failing:  # pytest.fail: the message alone, without the repr of the results
        pytest.fail(f"{len(failing)} of {len(results)} probes are not clean:\n\n"
                    f"{format_failures(failing)}\n\n{summary_table(results)}", pytrace=False)
