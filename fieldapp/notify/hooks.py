"""Notifications other features' background code triggers (outside requests)."""

from __future__ import annotations

import logging

from flask import Flask

from fieldapp.notify import workflow
from fieldapp.storage import planning

log = logging.getLogger(__name__)
JOB_WORDS = {"done": {"ko": "완료", "en": "done"}, "failed": {"ko": "실패", "en": "failed"},
             "cancelled": {"ko": "취소됨", "en": "cancelled"}}


def job_finished(app: Flask, db, job_id: int) -> None:
    """Tell the planner who queued a simulation job that it finished (never fails the job)."""
    try:
        job = planning.get_job(db, job_id)
        if not job or not job.get("created_by") or job["status"] not in JOB_WORDS:
            return
        with app.app_context():
            workflow.send(db, event="job_finished", recipients=[job["created_by"]],
                          params={"title": job["title"], "status": JOB_WORDS[job["status"]]},
                          link=f"/planner/jobs/{job_id}")
    except Exception:  # a notification problem must not turn a finished job into a failed one
        log.exception("could not notify about job %s", job_id)
