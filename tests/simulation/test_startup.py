"""What ``python -m simulation run`` loads: only what a run needs (no SciPy)."""

import subprocess
import sys
from pathlib import Path

import pytest
from scipy import stats

from simulation.stats import mean_ci, t_quantile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "simulation" / "examples" / "doughnut_saturday.yaml"


def imported_modules(*args):
    """Module names a subprocess imported, from ``-X importtime`` (stderr)."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "simulation", *map(str, args)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    names = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "simulation.runner" in names, "importtime output not parsed"
    return names


def test_run_json_does_not_import_scipy_or_calibration():
    """A run with several replications (so CIs are computed) loads no SciPy."""
    names = imported_modules("run", EXAMPLE, "--json", "--replications", "3", "--workers", "1")
    assert not {n for n in names if n == "scipy" or n.startswith("scipy.")}
    assert "simulation.calibration" not in names
    assert "simulation.compare" not in names


def test_calibrate_still_imports_scipy_when_it_runs(tmp_path):
    """The lazy import still happens for the command that needs it (bad file: exit 2, no traceback)."""
    r = subprocess.run([sys.executable, "-m", "simulation", "calibrate", tmp_path / "none.csv",
                        "--traffic", tmp_path / "none.csv", "--out", tmp_path / "o.yaml"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "file not found" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 9, 10, 29, 30, 31, 120, 299, 300, 301, 1000, 10**6])
@pytest.mark.parametrize("p", [0.975, 0.95, 0.995, 0.6])
def test_t_quantile_matches_scipy(df, p):
    """Our t quantile (used for every CI) equals SciPy's to 1e-9 relative."""
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


def test_mean_ci_uses_the_t_quantile():
    """A CI of 5 values has half-width t(0.975, 4) * sd / sqrt(5)."""
    x = [1.0, 2.0, 4.0, 7.0, 11.0]
    ci = mean_ci(x)
    half = stats.t.ppf(0.975, 4) * stats.tstd(x) / 5 ** 0.5
    assert ci["ci95"] == pytest.approx([5.0 - half, 5.0 + half], rel=1e-9)


def test_t_quantile_rejects_bad_arguments():
    """Outside (0.5, 1) or df < 1 is a ValueError, not a wrong number."""
    for p, df in ((0.4, 3), (1.0, 3), (0.975, 0)):
        with pytest.raises(ValueError):
            t_quantile(p, df)
