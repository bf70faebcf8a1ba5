"""The customer-voice numbers, checked against values known by construction."""

import ast
from pathlib import Path

import numpy as np
import pytest

from insights import csat, disagreements, fix_first, key_drivers, nps, place_points, wilson
from insights.drivers import relative_weights_from_corr, shapley_from_corr
from insights.ipa import IpaPoint, _overlap


def test_nps_counts_and_score():
    """Promoters 9-10 minus detractors 0-6; passives in neither; out-of-range ignored."""
    r = nps([10, 9, 9, 8, 7, 6, 0, None, 11])
    assert (r.n, r.promoters, r.passives, r.detractors) == (7, 3, 2, 2)
    assert r.score == pytest.approx(100 / 7)
    assert r.low < r.score < r.high


def test_nps_interval_covers_the_truth_most_of_the_time():
    """95% interval: coverage over 400 seeded samples of a known population is near 95%."""
    rng = np.random.default_rng(3)
    truth = (0.5 - 0.2) * 100
    hits = 0
    for _ in range(400):
        draw = rng.choice([10, 8, 3], size=200, p=[0.5, 0.3, 0.2])
        r = nps(draw.tolist())
        hits += r.low <= truth <= r.high
    assert 0.91 <= hits / 400 <= 0.98


def test_nps_of_nothing():
    r = nps([])
    assert r.n == 0 and r.score is None and not r.enough


def test_csat_top_two_box_and_mean():
    r = csat([5, 4, 3, 1])
    assert r.n == 4 and r.satisfied == 2 and r.share == 50
    assert r.mean100 == pytest.approx((100 + 75 + 50 + 0) / 4)
    assert 0 <= r.low < 50 < r.high <= 100


def test_wilson_stays_inside_zero_one():
    assert wilson(0, 5)[0] == 0 and wilson(5, 5)[1] == 1


def test_disagreement_needs_a_gap_outside_the_interval():
    rows = [{"key": "a", "customers": 80, "customers_low": 75, "customers_high": 85, "customers_n": 90, "shoppers": 50},
            {"key": "b", "customers": 60, "customers_low": 30, "customers_high": 90, "customers_n": 5, "shoppers": 45},
            {"key": "c", "customers": 40, "customers_low": 35, "customers_high": 45, "customers_n": 90, "shoppers": 70},
            {"key": "d", "customers": None, "shoppers": 70}]
    out = {g.key: g.verdict for g in disagreements(rows)}
    assert out == {"a": "customers_happier", "b": "agree", "c": "shoppers_happier", "d": "unknown"}


# --- drivers ------------------------------------------------------------------

WEIGHTS = np.array([0.5, 0.3, 0.15, 0.05, 0.0])


def _population(rho=0.5, noise=0.6):
    """Correlations of collinear predictors (common factor rho) with y = X w + e."""
    k = len(WEIGHTS)
    sxx = np.full((k, k), rho) + np.eye(k) * (1 - rho)
    var_y = WEIGHTS @ sxx @ WEIGHTS + noise ** 2
    return sxx, sxx @ WEIGHTS / np.sqrt(var_y), var_y


def _sample(n, seed, rho=0.5, noise=0.6):
    sxx, _, _ = _population(rho, noise)
    rng = np.random.default_rng(seed)
    x = rng.multivariate_normal(np.zeros(len(WEIGHTS)), sxx, size=n)
    y = x @ WEIGHTS + rng.normal(0, noise, n)
    names = [f"t{j}" for j in range(len(WEIGHTS))]
    return [dict(zip(names, row), overall=v) for row, v in zip(x.tolist(), y.tolist())], names


@pytest.mark.parametrize("method, true_of", [("relative_weights", relative_weights_from_corr),
                                             ("shapley", shapley_from_corr)])
def test_drivers_recover_known_weights_within_their_intervals(method, true_of):
    """Answers generated from known weights: every true share lies in its bootstrap interval."""
    sxx, rxy, _ = _population()
    true = true_of(sxx, rxy)
    true_share = true / true.sum() * 100
    rows, names = _sample(1500, seed=11)
    d = key_drivers(rows, names, "overall", method=method, n_boot=200, seed=1)
    assert d.n == 1500 and d.enough
    assert d.r2 == pytest.approx(true.sum(), abs=0.03)
    for r, t in zip(d.results, true_share):
        assert r.low <= t <= r.high, (r, t)
    assert [r.name for r in sorted(d.results, key=lambda r: -r.share)][:3] == ["t0", "t1", "t2"]


def test_the_two_decompositions_sum_to_r2_and_agree_on_order():
    rows, names = _sample(800, seed=5)
    rw = key_drivers(rows, names, "overall", n_boot=0)
    sh = key_drivers(rows, names, "overall", method="shapley", n_boot=0)
    assert rw.r2 == pytest.approx(sh.r2)
    assert sum(r.share for r in rw.results) == pytest.approx(100)
    order = lambda d: [r.name for r in sorted(d.results, key=lambda r: -r.share)]  # noqa: E731
    assert order(rw)[:3] == order(sh)[:3]


def test_weights_stay_positive_where_regression_coefficients_flip_sign():
    """Collinear ratings valued equally: OLS coefficients flip sign across samples, shares do not."""
    rng = np.random.default_rng(2)
    signs, shares = set(), []
    for _ in range(30):
        base = rng.normal(size=80)
        x = np.column_stack([base + rng.normal(0, 0.05, 80), base + rng.normal(0, 0.05, 80)])
        y = base + rng.normal(0, 0.5, 80)
        coef = np.linalg.lstsq(np.column_stack([x, np.ones(80)]), y, rcond=None)[0][:2]
        signs |= set(np.sign(coef).tolist())
        rows = [{"a": a, "b": b, "y": v} for (a, b), v in zip(x.tolist(), y.tolist())]
        shares.append([r.share for r in key_drivers(rows, ["a", "b"], "y", n_boot=0).results])
    assert signs == {-1.0, 1.0}
    assert all(20 < s < 80 for pair in shares for s in pair)


def test_incomplete_rows_are_left_out_and_counted():
    rows, names = _sample(100, seed=1)
    rows[0]["t2"] = None
    rows[1]["overall"] = None
    d = key_drivers(rows, names, "overall", n_boot=10)
    assert (d.n, d.dropped) == (98, 2)


def test_too_few_rows_give_no_weights():
    d = key_drivers([{"a": 1, "y": 2}], ["a"], "y")
    assert d.r2 == 0 and not d.enough


# --- the matrix -------------------------------------------------------------------

def test_no_marker_or_label_hides_another():
    """Identical and near-identical points are pushed apart; labels cover nothing."""
    pts = [IpaPoint(f"k{i}", f"접점 {i} touchpoint", 20.0 + (i % 2) * 0.1, 20.0, 60.0) for i in range(6)]
    pts += [IpaPoint("far", "far", 5.0, 10.0, 95.0)]
    placed = place_points(pts, radius=5)
    markers = [(p.x, p.y) for p in placed] + [(p.sx, p.sy) for p in placed]   # derived and stated
    for i, (ax, ay) in enumerate(markers):
        for bx, by in markers[i + 1:]:
            assert np.hypot(ax - bx, ay - by) >= 10, ((ax, ay), (bx, by))
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert not _overlap((a.lx, a.ly, a.lw, a.lh), (b.lx, b.ly, b.lw, b.lh), pad=0)
        for mx, my in markers:
            assert not _overlap((a.lx, a.ly, a.lw, a.lh), (mx - 5, my - 5, 10, 10), pad=0)


def test_fix_first_is_important_and_weak():
    pts = [IpaPoint("hygiene", "h", 40, 20, 40), IpaPoint("queue", "q", 30, 20, 70),
           IpaPoint("sign", "s", 5, 20, 90), IpaPoint("sample", "x", 25, 40, 30)]
    g = fix_first(pts)
    assert [p.key for p in g["fix"]] == ["hygiene", "sample"]
    assert [p.key for p in g["overkill"]] == ["sign"]
    assert [p.key for p in g["underrated"]] == ["hygiene", "queue"]


def test_insights_imports_neither_flask_nor_sqlite():
    for path in Path("insights").glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & {"flask", "sqlite3", "sqlite_utils", "fieldapp", "weasyprint"}, path
