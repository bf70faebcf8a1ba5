"""Customer-voice numbers: NPS, CSAT, shopper/customer gaps and key drivers.

Pure functions over plain lists and dicts (NumPy for the drivers); imports
neither Flask nor SQLite, so the app, scripts and tests share one answer.
See ``insights/README.md``.
"""

from .compare import Gap, disagreements
from .csat import Csat, csat, csat_of_sums, wilson
from .drivers import DriverResult, Drivers, key_drivers, relative_weights, shapley_r2
from .ipa import IpaPoint, Placed, fix_first, place_points
from .nps import Nps, nps, nps_of_counts

__all__ = ["Csat", "DriverResult", "Drivers", "Gap", "IpaPoint", "Nps", "Placed", "csat", "csat_of_sums",
           "disagreements", "fix_first", "key_drivers", "nps", "nps_of_counts", "place_points", "relative_weights",
           "shapley_r2", "wilson"]
