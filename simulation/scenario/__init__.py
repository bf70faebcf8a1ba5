"""Scenario files: the model (``model``), the YAML loader (``loader``) and the validator (``validate``).

``from simulation.scenario import ...`` keeps working for every name it had
before the split.
"""

from .loader import load_scenario, scenario_from_dict, scenario_to_yaml
from .model import Appointments, CustomerClass, RatePiece, Scenario, ScenarioError, Shift, Station

__all__ = ["Scenario", "Station", "Shift", "CustomerClass", "RatePiece", "Appointments",
           "ScenarioError", "load_scenario", "scenario_from_dict", "scenario_to_yaml"]
