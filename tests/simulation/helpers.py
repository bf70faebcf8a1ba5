import math


from simulation import scenario_from_dict


def station(name="s", servers=1, mean=1.0, dist="exponential", **extra):
    svc = {"dist": dist, "mean": mean} if dist == "exponential" else {"dist": dist, "value": mean}
    return {"name": name, "servers": servers, "service_min": svc, **extra}


def make(stations, rate_per_hour=None, horizon=1000.0, warmup=0.0, reps=10, seed=1, **top):
    arrivals = top.pop("arrivals", {"rate_per_hour": rate_per_hour})
    d = {"name": "test", "horizon_min": horizon, "warmup_min": warmup, "replications": reps,
         "seed": seed, "arrivals": arrivals, "stations": stations, **top}
    return scenario_from_dict(d, source="test")


def erlang_c(c, a):
    """P(wait > 0) in M/M/c with offered load a = lambda/mu (Erlang C)."""
    s = sum(a ** k / math.factorial(k) for k in range(c))
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (s + top)


def erlang_b(c, a):
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def assert_in_ci(stat, value, rel_width=None):
    lo, hi = stat["ci95"]
    assert lo is not None
    assert lo <= value <= hi, f"analytic {value} outside CI [{lo}, {hi}] (mean {stat['mean']})"
    if rel_width is not None:
        # guard against a trivially wide interval that would pass anything
        assert (hi - lo) / 2 <= rel_width * abs(value), f"CI too wide: [{lo}, {hi}]"


