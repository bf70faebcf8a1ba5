"""Store queue simulation on SimPy, with a model of how the wait feels.

Public API (used by the CLI and the web app)::

    from simulation import (load_scenario, scenario_from_dict, scenario_to_yaml,
                            run_scenario, compare_scenarios, ScenarioError,
                            staff_scenario, parse_target, TargetError)

Names are imported from their modules on first use (PEP 562), so that
``python -m simulation run`` loads only what a run needs.
"""

import importlib

_HOME = {
    "compare_scenarios": "compare",
    "satisfaction_from_perceived": "experience",
    "run_once": "model",
    "run_scenario": "runner",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario",
    "scenario_from_dict": "scenario",
    "scenario_to_yaml": "scenario",
    "staff_scenario": "staffing",
    "StaffingError": "staffing",
    "parse_target": "targets",
    "Target": "targets",
    "TargetError": "targets",
}

__all__ = ["load_scenario", "scenario_from_dict", "scenario_to_yaml", "run_scenario",
           "compare_scenarios", "ScenarioError", "Scenario", "run_once", "satisfaction_from_perceived",
           "staff_scenario", "StaffingError", "parse_target", "Target", "TargetError"]


def __getattr__(name):
    if name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
