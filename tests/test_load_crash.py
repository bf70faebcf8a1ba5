"""The load benchmark, small: 5 phones, one SIGKILL of gunicorn, nothing lost or doubled.

Real gunicorn on 127.0.0.1, real HTTP, a real SQLite file. No timing assertions.
"""

from __future__ import annotations

import pytest

from benchmarks.load import run_load


@pytest.mark.slow
def test_sigkill_mid_run_loses_and_doubles_nothing(instance):
    result = run_load(phones=5, seconds=30, think=0.02, kill_at=0.4, down=0.5,
                      instance=instance, log=lambda *_: None)
    print(result.table())
    assert result.kills == 1 and result.restarts == 1, result.problems
    assert result.acked_answers > 0 and result.acked_timings > 0
    assert result.lost == 0, result.problems
    assert result.duplicated == 0, result.problems
    assert not [p for p in result.problems if "refused" in p or "Error" in p], result.problems
