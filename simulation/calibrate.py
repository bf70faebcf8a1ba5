"""The old import path of ``simulation.calibration``, kept so existing callers keep working.

New code imports from ``simulation.calibration``; this module only re-exports.
"""

from .calibration import *  # noqa: F401,F403
from .calibration import __all__  # noqa: F401
