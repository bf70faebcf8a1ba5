"""Simulation jobs run in the background, never in a request.

A job is a row in SQLite (status, progress, result). A daemon thread in the
web process claims queued jobs one at a time and runs them on a process pool
(or on Dask when ``SIMULATION_DASK_SCHEDULER`` is set); its progress callback
writes progress, keeps a heartbeat and stops the job when the planner asks.
When the server starts, jobs left running by a previous process whose
heartbeat stopped are marked interrupted, so nothing silently disappears.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone

from flask import Flask

from fieldapp.notify import hooks as notify_hooks
from fieldapp.storage import planning
from fieldapp.storage.db import connect
from simulation import compare_scenarios, run_scenario, scenario_from_dict

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=90)


class JobCancelled(Exception):
    """The planner cancelled the job."""


def run_job(db, job: dict, executor=None, workers: int | None = None) -> dict:
    """Run one claimed job and return its result; raise JobCancelled when asked to stop."""
    payload = job["input"]

    def progress(done: int, total: int) -> None:
        if planning.set_progress(db, job["id"], done, total):
            raise JobCancelled()

    options = {"workers": workers, "executor": executor, "progress": progress}
    kind = job["kind"]
    if kind == "compare":
        from fieldapp.planner.hourly import hourly_pair

        result = compare_scenarios(scenario_from_dict(payload["baseline"], "baseline"),
                                   scenario_from_dict(payload["whatif"], "what-if"),
                                   replications=payload.get("replications"), seed=payload.get("seed"),
                                   **options)
        result["hourly"] = hourly_pair(payload["baseline"], payload["whatif"],
                                       int(payload.get("open_time", "08:00")[:2]),
                                       replications=payload.get("replications") or 10,
                                       seed=payload.get("seed") or 1, executor=executor)
        return result
    if kind == "staff":
        from simulation.staffing import staff_scenario

        progress(0, 1)
        result = staff_scenario(scenario_from_dict(payload["baseline"], "baseline"), payload["targets"],
                                max_servers=payload.get("max_servers", 20),
                                replications=payload.get("replications", 10), seed=payload.get("seed", 1),
                                executor=executor)
        progress(1, 1)
        return result
    if kind == "run":
        return run_scenario(scenario_from_dict(payload["scenario"], "scenario"),
                            replications=payload.get("replications"), seed=payload.get("seed"), **options)
    if kind == "fitcheck":
        from simulation.calibrate import fit_check

        progress(0, 1)
        result = fit_check(payload["scenario"], payload["observed_waits_min"],
                           replications=payload.get("replications", 10), seed=payload.get("seed", 1),
                           workers=workers, executor=executor,
                           observed_at_min=payload.get("observed_at_min"))
        progress(1, 1)
        return result
    if kind == "sweep":
        return _sweep(db, job, payload, executor, workers)
    raise ValueError(f"unknown job kind {kind!r}")


def _sweep(db, job, payload, executor, workers) -> dict:
    """Each variant of the grid run with the same seeds (common random numbers)."""
    variants = payload["variants"]
    reps = int(payload.get("replications", 10))
    total = len(variants) * reps
    rows = []
    for index, variant in enumerate(variants):
        def progress(done, _total, offset=index * reps):
            if planning.set_progress(db, job["id"], offset + done, total):
                raise JobCancelled()

        result = run_scenario(scenario_from_dict(variant["scenario"], variant["label"]),
                              replications=reps, seed=payload.get("seed", 1), workers=workers,
                              executor=executor, progress=progress)
        rows.append({"label": variant["label"], "params": variant["params"],
                     "staff_hours": result.get("staff_hours", {}).get("total")
                     if isinstance(result.get("staff_hours"), dict) else result.get("staff_hours"),
                     "satisfaction": result["satisfaction"], "wait_min": result["wait_min"],
                     "abandonment_rate": result["abandonment_rate"]})
    return {"variants": rows, "replications": reps}


def run_pending(app: Flask, executor=None) -> int:
    """Run queued jobs until none is left; return how many ran."""
    db = connect(app.config["DATABASE"])
    ran = 0
    try:
        while True:
            job = planning.claim_next_job(db)
            if job is None:
                return ran
            ran += 1
            try:
                result = run_job(db, job, executor=executor, workers=app.config.get("SIM_WORKERS"))
            except JobCancelled:
                planning.finish_job(db, job["id"], "cancelled")
            except Exception as exc:  # a failed job is reported to the planner, not lost
                log.exception("simulation job %s failed", job["id"])
                planning.finish_job(db, job["id"], "failed", error=f"{type(exc).__name__}: {exc}"[:500])
            else:
                planning.finish_job(db, job["id"], "done", result)
            notify_hooks.job_finished(app, db, job["id"])  # the planner's bell (and mail)
    finally:
        db.close()


def mark_interrupted(app: Flask) -> int:
    cutoff = (datetime.now(timezone.utc) - STALE_AFTER).isoformat(timespec="seconds")
    db = connect(app.config["DATABASE"])
    try:
        return planning.interrupt_stale_jobs(db, cutoff)
    finally:
        db.close()


def _has_queued(app: Flask) -> bool:
    db = connect(app.config["DATABASE"])
    try:
        return planning.queued_count(db) > 0
    finally:
        db.close()


def _executor():
    """Dask when configured, else a process pool started with 'spawn' (safe in a threaded server)."""
    from simulation.dask_executor import executor_from_env

    executor, close = executor_from_env()
    if executor is not None:
        return executor, close
    pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("spawn"))
    return pool, lambda: pool.shutdown(cancel_futures=True)


def start_runner(app: Flask, poll_seconds: float = 1.0) -> threading.Thread:
    """Start the background thread that runs queued jobs for this process."""
    mark_interrupted(app)

    def loop():
        while True:
            try:
                if not _has_queued(app):
                    pass
                elif app.config.get("SIM_WORKERS") == 1:
                    run_pending(app)
                else:
                    executor, close = _executor()
                    try:
                        run_pending(app, executor=executor)
                    finally:
                        close()
            except Exception:  # keep the runner alive whatever one round did
                log.exception("job runner round failed")
            time.sleep(poll_seconds)

    thread = threading.Thread(target=loop, name="simulation-jobs", daemon=True)
    thread.start()
    return thread
