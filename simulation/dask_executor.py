"""Replications on a Dask distributed cluster instead of the local process pool.

``run_scenario``/``compare_scenarios``/``fit_check`` take any
concurrent.futures-style executor; a Dask client's ``get_executor()`` is one.
A job is ``run_once(scenario, seed)``: a module-level function of a frozen,
picklable Scenario and an integer seed, so it ships to workers as is and the
results are identical to the local pool's for the same seed (the workers must
have this same ``simulation`` package installed).

    executor, close = executor_from_env()        # or executor_from_env("tcp://host:8786")
    try:
        result = run_scenario(scenario, executor=executor)   # executor None -> local pool
    finally:
        close()

``distributed`` is imported only when an address is given, so the package
still works without it.
"""

from __future__ import annotations

import os
from typing import Callable

__all__ = ["executor_from_env", "DaskUnavailable", "ENV_VAR", "TIMEOUT_ENV_VAR"]

ENV_VAR = "SIMULATION_DASK_SCHEDULER"
TIMEOUT_ENV_VAR = "SIMULATION_DASK_TIMEOUT"   # seconds to wait for the scheduler (default 10)


class DaskUnavailable(RuntimeError):
    """The scheduler cannot be reached or distributed is missing; ``.message`` is one line."""

    def __init__(self, message: str):
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message


def _noop() -> None:
    return None


def executor_from_env(address: str | None = None, timeout: float | None = None) -> tuple:
    """``(executor, close)``: a Dask client's executor when ``address`` or the environment
    variable SIMULATION_DASK_SCHEDULER names a scheduler (``tcp://host:port``), else
    ``(None, no-op)`` so callers fall back to the local process pool.

    Raises DaskUnavailable (one line) when distributed is not installed or the
    scheduler does not answer within ``timeout`` seconds (default: env
    SIMULATION_DASK_TIMEOUT or 10).
    """
    addr = (address if address is not None else os.environ.get(ENV_VAR, "")).strip()
    if not addr:
        return None, _noop
    if timeout is None:
        try:
            timeout = float(os.environ.get(TIMEOUT_ENV_VAR, "") or 10)
        except ValueError:
            raise DaskUnavailable(f"{TIMEOUT_ENV_VAR}: not a number of seconds") from None
    try:
        from distributed import Client
    except ImportError:
        raise DaskUnavailable(f"{addr}: the 'distributed' package is not installed "
                              f"(pip install 'dask[distributed]')") from None
    try:
        client = Client(addr, timeout=timeout, set_as_default=False)
    except Exception as exc:  # OSError/TimeoutError/ValueError, whatever the comm layer raises
        detail = " ".join(str(exc).split()) or type(exc).__name__
        if len(detail) > 200:
            detail = detail[:197] + "..."
        raise DaskUnavailable(f"{addr}: cannot connect to the Dask scheduler ({detail})") from None
    executor = client.get_executor()
    closed = []

    def close() -> None:
        if not closed:
            closed.append(True)
            client.close()

    return executor, close


def describe(executor) -> str:
    """A short label for logs: 'dask tcp://...' or 'local process pool'."""
    client = getattr(executor, "_client", None)
    if client is not None:
        return f"dask {getattr(client.scheduler, 'address', '')}".strip()
    return "local process pool" if executor is None else type(executor).__name__


Closer = Callable[[], None]
