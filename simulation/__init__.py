"""Store queue simulation on SimPy, with a model of how the wait feels.

Public API (used by the CLI and the web app)::

    from simulation import (load_scenario, scenario_from_dict, scenario_to_yaml,
                            run_scenario, compare_scenarios, ScenarioError)
"""

from .compare import compare_scenarios
from .experience import satisfaction_from_perceived
from .model import run_once
from .runner import run_scenario
from .scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict, scenario_to_yaml

__all__ = ["load_scenario", "scenario_from_dict", "scenario_to_yaml", "run_scenario",
           "compare_scenarios", "ScenarioError", "Scenario", "run_once", "satisfaction_from_perceived"]
