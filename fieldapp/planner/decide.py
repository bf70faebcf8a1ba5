"""The planner's decisions: field inputs uploaded, the staffing that meets a target,
trying it as a what-if, and adopting a what-if at stores from a date."""

from __future__ import annotations

from datetime import date

import yaml
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.auth.capabilities import requires
from fieldapp.planner import imports, whatif, words
from fieldapp.planner.views import (
    _job_or_404,
    _job_title,
    _scenario_or_404,
    bp,
    rota_by_station,
    workspace_context,
)
from fieldapp.storage import audit_log, planning, stores
from fieldapp.storage.db import get_db
from fieldapp.web import htmx as web_htmx
from simulation.targets import TargetError, parse_target

STAFF_REPLICATIONS = 8
TARGET_CHOICES = ("p90_wait_min", "p50_wait_min", "mean_wait_min", "abandonment", "satisfaction")


# -- field inputs ------------------------------------------------------------------------

@bp.route("/inputs", methods=["GET", "POST"])
@requires("planner.use")
def inputs():
    """Upload door counts or a rota: "check" shows what would change, "import" applies it."""
    db = get_db()
    org_stores = stores.org_stores(db, current_user.org_id)
    context = {"stores": org_stores, "form": request.form, "checked": None, "tally": None, "error": None}
    status = 200
    if request.method == "POST":
        kind = request.form.get("kind", "")
        upload = request.files.get("file")
        store = request.form.get("store", type=int)
        if kind not in imports.KINDS:
            context["error"], status = _("Choose what the file holds."), 422
        elif upload is None or not upload.filename:
            context["error"], status = _("Choose a CSV or XLSX file."), 422
        elif store is not None and store not in {s["id"] for s in org_stores}:
            abort(404)
        else:
            checked = imports.check(db, current_user.org_id, kind, upload.filename, upload.read(),
                                    default_store=store)
            context["checked"] = checked
            if not checked.ok:
                status = 422
            elif request.form.get("action") == "import":
                context["tally"] = imports.apply(db, checked, current_user.id)
            else:
                context["preview"] = _preview(db, checked)
    context["summary"] = {s["id"]: _summary(db, s["id"]) for s in org_stores}
    return web_htmx.render("planner/inputs.html", "planner/_inputs_result.html", status, **context)


def _preview(db, checked) -> dict:
    """What importing would do, without doing it."""
    save = planning.save_traffic if checked.kind == "traffic" else planning.save_rota
    return {"tally": save(db, checked.rows, dry_run=True), "first": checked.rows[:8]}


def _summary(db, store_id: int) -> dict:
    rota = planning.rota_of(db, store_id)
    return {"rota_rows": len(rota), "stations": sorted({r["station"] for r in rota}),
            "traffic_days": planning.traffic_days(db, store_id)}


# -- staffing that meets a target --------------------------------------------------------

@bp.route("/s/<int:scenario_id>/staff", methods=["POST"])
@requires("planner.use")
def staff(scenario_id: int):
    """Queue the search for the fewest staff per hour meeting the planner's targets."""
    db = get_db()
    row = _scenario_or_404(scenario_id)
    targets, errors = [], {}
    for i in range(2):
        measure = request.form.get(f"measure{i}", "")
        raw = request.form.get(f"value{i}", "").strip()
        if not measure or (i > 0 and not raw):
            continue
        if measure not in TARGET_CHOICES:
            errors[f"value{i}"] = words.target_error("unknown_measure", {})
            continue
        op = ">=" if measure == "satisfaction" else "<="
        value = raw
        if measure == "abandonment" and raw.replace(".", "", 1).isdigit() and float(raw) > 1:
            value = str(float(raw) / 100)  # "5" in a percent field means 5 %
        try:
            targets.append(str(parse_target(f"{measure}{op}{value}", where=f"value{i}")))
        except TargetError as exc:
            errors[f"value{i}"] = words.target_error(exc.code, exc.params)
    if not targets and not errors:
        errors["value0"] = words.target_error("syntax", {})
    if errors:
        return render_template("planner/workspace.html", staff_errors=errors, staff_form=request.form,
                               **workspace_context(db, row)), 422
    open_time = row["calibration"].get("open_time", "08:00")
    job_id = planning.enqueue_job(
        db, org_id=current_user.org_id, user_id=current_user.id, kind="staff",
        title=_job_title(scenario_id, _("Staffing that meets %(t)s", t=", ".join(words.target_text(t)
                                                                                   for t in targets))),
        payload={"scenario_id": scenario_id, "baseline": yaml.safe_load(row["baseline_yaml"]),
                 "targets": targets, "max_servers": 20, "replications": STAFF_REPLICATIONS, "seed": 1,
                 "open_time": open_time})
    return redirect(url_for("planner.job", job_id=job_id))


@bp.route("/jobs/<int:job_id>/try", methods=["POST"])
@requires("planner.use")
def try_staffing(job_id: int):
    """One click: the staffing answer becomes the what-if's rota, and the comparison starts."""
    db = get_db()
    job = _job_or_404(job_id)
    if job["kind"] != "staff" or job["status"] != "done":
        abort(409)
    row = _scenario_or_404(job["input"]["scenario_id"])
    open_hour = int(row["calibration"].get("open_time", "08:00")[:2])
    proposed: dict = {}
    for h in job["result"]["hours"]:
        proposed.setdefault(h["station"], {})[str((open_hour + h["hour"]) % 24)] = h["servers"]
    current = rota_by_station(row)
    changes = whatif.Changes(rota_by_station={st: {h: n for h, n in hours.items()
                                                   if current.get(st, {}).get(int(h)) != n}
                                              for st, hours in proposed.items()})
    changes.rota_by_station = {st: h for st, h in changes.rota_by_station.items() if h}
    planning.update_changes(db, row["id"], changes.as_dict())
    baseline = yaml.safe_load(row["baseline_yaml"])
    open_time = row["calibration"].get("open_time", "08:00")
    spec = whatif.apply_changes(baseline, changes, open_time)
    compare_id = planning.enqueue_job(
        db, org_id=current_user.org_id, user_id=current_user.id, kind="compare",
        title=_job_title(row["id"], _("Baseline vs what-if")),
        payload={"scenario_id": row["id"], "baseline": baseline, "whatif": spec, "changes": changes.as_dict(),
                 "rota": {st: {str(h): n for h, n in hours.items()} for st, hours in current.items()},
                 "open_time": open_time, "replications": 20, "seed": 1, "from_staffing_job": job_id})
    return redirect(url_for("planner.job", job_id=compare_id))


# -- adoption ------------------------------------------------------------------------------

@bp.route("/jobs/<int:job_id>/adopt", methods=["POST"])
@requires("planner.use")
def adopt(job_id: int):
    """Mark a compared what-if as adopted at stores from a day; its prediction is kept with it."""
    db = get_db()
    job = _job_or_404(job_id)
    if job["kind"] != "compare" or job["status"] != "done":
        abort(409)
    org_ids = {s["id"] for s in stores.org_stores(db, current_user.org_id)}
    chosen = [int(v) for v in request.form.getlist("store") if v.isdigit()]
    errors = {}
    if not chosen or not set(chosen) <= org_ids:
        errors["store"] = _("Choose at least one store.")
    try:
        from_day = date.fromisoformat(request.form.get("from_day", "")).isoformat()
    except ValueError:
        errors["from_day"] = _("Enter dates as YYYY-MM-DD.")
    if errors:
        from fieldapp.planner import report as planner_report

        return render_template("planner/job.html", job=job, view=planner_report.job_view(job),
                               adopt_errors=errors, adopt_form=request.form,
                               stores=stores.org_stores(db, current_user.org_id)), 422
    prediction = dict((job["result"].get("hourly") or {}).get("prediction") or {})
    prediction["metrics"] = {k: job["result"]["metrics"][k] for k in ("wait_min", "satisfaction")
                             if k in job["result"]["metrics"]}
    changes = job["input"].get("changes", {})
    with db.atomic():
        adoption_id = planning.adopt(db, org_id=current_user.org_id, user_id=current_user.id,
                                     scenario_id=job["input"].get("scenario_id"), job_id=job_id,
                                     changes={**changes, "_rota": job["input"].get("rota", {})},
                                     prediction=prediction, from_day=from_day, store_ids=chosen)
        audit_log.record(db, actor_id=current_user.id, action="adopt", object_type="planner_adoption",
                         object_id=adoption_id, detail=f"job={job_id} from={from_day} stores={chosen}")
    flash(_("Marked as adopted. The home page compares the prediction with what the field measures."))
    return redirect(url_for("planner.job", job_id=job_id))
