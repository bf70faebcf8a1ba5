"""Calibration: a baseline scenario from field data, and a check of its fit.

Inputs are plain records (dicts), as the web app passes them, or CSV files
read by the ``read_*_csv`` functions:

* timings   ``visit, store, station, event, timestamp`` - auditors' stopwatch
  marks; per (visit, station) the wait is start - arrive and the service time
  end - start (minutes).  Service times get a maximum-likelihood fit of an
  exponential, a lognormal and a gamma distribution (location fixed at 0),
  and the lowest AIC wins.
* traffic   ``day, slot_start, count`` - door-counter or till counts per
  15 minutes; the mean count per slot over days, times 4, is the Poisson
  arrival rate of that slot (time zero = the first slot = opening).
* staffing  ``hour, servers`` - servers per clock hour become shifts.
* ratings   ``wait_min, rating`` - auditors' emotion rating (1-5) against
  the wait they measured; the 2-parameter satisfaction curve is fitted to
  them by least squares.

``fit_check`` then simulates the baseline and puts its waits next to the
observed ones (quantiles and a two-sample Kolmogorov-Smirnov test).

Every problem with the input is a ``CalibrationError`` whose ``.message`` is
one line located as ``file.csv:12: timestamp: not an ISO 8601 time`` (for
records passed as dicts: ``timings[11]: timestamp: ...``).

Modules: ``records`` (values and located errors), ``readers`` (CSV files),
``fitting`` (service time, satisfaction curve), ``baseline`` (the scenario
from observations), ``fitcheck`` (simulated vs observed waits), ``verdict``
(quantile gaps with bootstrap intervals: trust or not).
"""

from .baseline import DEFAULT_EVENT_ROLES, Calibration, calibrate
from .fitcheck import QUANTILES, fit_check, simulated_waits, simulated_waits_at
from .fitting import (FEW_SERVICE_SAMPLES, MIN_RATINGS, MIN_SERVICE_SAMPLES, default_wait_multiplier,
                      fit_satisfaction, fit_service_time)
from .readers import read_ratings_csv, read_staffing_csv, read_timings_csv, read_traffic_csv
from .records import SLOT_MIN, CalibrationError, Rows
from .verdict import fit_verdict

__all__ = ["calibrate", "Calibration", "CalibrationError", "fit_service_time", "fit_satisfaction",
           "fit_check", "read_timings_csv", "read_traffic_csv", "read_staffing_csv",
           "read_ratings_csv", "DEFAULT_EVENT_ROLES", "default_wait_multiplier", "Rows",
           "simulated_waits", "simulated_waits_at", "QUANTILES", "SLOT_MIN", "MIN_SERVICE_SAMPLES",
           "FEW_SERVICE_SAMPLES", "MIN_RATINGS", "fit_verdict"]
