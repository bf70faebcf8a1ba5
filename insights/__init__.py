"""Customer-voice numbers: NPS, CSAT, shopper/customer gaps and key drivers.

Pure functions over plain lists and dicts (NumPy for the drivers); imports
neither Flask nor SQLite, so the app, scripts and tests share one answer.
See ``insights/README.md``.
"""

from .compare import Gap, disagreements
from .csat import Csat, csat, wilson
from .drivers import DriverResult, Drivers, key_drivers, relative_weights, shapley_r2
from .ipa import IpaPoint, Placed, fix_first, place_points
from .nps import Nps, nps

__all__ = ["Csat", "DriverResult", "Drivers", "Gap", "IpaPoint", "Nps", "Placed", "csat",
           "disagreements", "fix_first", "key_drivers", "nps", "place_points", "relative_weights",
           "shapley_r2", "wilson"]
