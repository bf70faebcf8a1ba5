"""The planner's what-if workspace: a baseline from field data, changes over
it, comparisons and sweeps run in the background, and a PDF for the meeting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml
from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

import simulation
from fieldapp.auth.capabilities import requires
from fieldapp.planner import observations, whatif, words
from fieldapp.planner import report as planner_report
from fieldapp.storage import audit_log, planning, stores
from fieldapp.storage.db import get_db
from fieldapp.web.timefmt import today_local
from fieldapp.web import htmx as web_htmx
from simulation import ScenarioError, scenario_from_dict, scenario_to_yaml

bp = Blueprint("planner", __name__, url_prefix="/planner")
EXAMPLES = Path(simulation.__file__).parent / "examples"
COMPARE_REPLICATIONS = 20


@bp.context_processor
def _planner_words() -> dict:
    """``pw``: the planner's words (changes, verdicts, explanations) in every planner template."""
    return {"pw": words}


@bp.route("/")
@requires("planner.use")
def index():
    db = get_db()
    today = date.fromisoformat(today_local())  # the organisation's day, not the server's
    org_stores = stores.org_stores(db, current_user.org_id)
    return render_template("planner/index.html", stores=org_stores,
                           store_types=sorted({s["store_type"] for s in org_stores}),
                           templates=_templates(), saved=planning.scenarios_of(db, current_user.org_id),
                           jobs=planning.jobs_of(db, current_user.org_id),
                           form={"date_from": (today - timedelta(days=60)).isoformat(),
                                 "date_to": today.isoformat()}, errors={})


@bp.route("/baseline", methods=["POST"])
@requires("planner.use")
def baseline():
    """Calibrate a baseline for a store and period from what auditors measured."""
    from simulation.calibrate import CalibrationError, calibrate

    db = get_db()
    form = request.form
    org_stores = {s["id"]: s for s in stores.org_stores(db, current_user.org_id)}
    errors = {}
    store_ids, label, store_id = _scope(form.get("scope", ""), org_stores)
    if not store_ids:
        errors["scope"] = _("Choose a store or a store type.")
    try:
        date_from = date.fromisoformat(form.get("date_from", "")).isoformat()
        date_to = date.fromisoformat(form.get("date_to", "")).isoformat()
        if date_to < date_from:
            errors["date_to"] = _("The period must end on or after its start.")
    except ValueError:
        errors["date_from"] = _("Enter dates as YYYY-MM-DD.")
    calibration = None
    weekday = form.get("weekday", type=int)
    if weekday is not None and not 0 <= weekday <= 6:
        errors["weekday"] = _("Choose a day of the week.")
    if not errors:
        data = observations.field_data(db, store_ids, date_from, date_to)
        data["traffic"] = planning.traffic_for(db, store_ids, date_from, date_to, weekday)
        data["staffing"] = planning.staffing_for(db, store_ids, weekday)
        try:
            calibration = calibrate(data["timings"], data["traffic"] or None, data["staffing"] or None,
                                    data["ratings"] or None,
                                    name=f"{label} {date_from}–{date_to}",
                                    station=observations.STATION, check=False)
        except CalibrationError as exc:
            errors["calibration"] = exc.message
    if errors:
        return render_template("planner/index.html", stores=list(org_stores.values()),
                               store_types=sorted({s["store_type"] for s in org_stores.values()}),
                               templates=_templates(),
                               saved=planning.scenarios_of(db, current_user.org_id),
                               jobs=planning.jobs_of(db, current_user.org_id), form=form,
                               errors=errors), 422
    report = dict(calibration.report)
    report["open_time"] = min((r["slot_start"] for r in data["traffic"]), default="08:00")
    report["visits"] = data["visits"]
    report["period"] = [date_from, date_to]
    report["store_ids"] = store_ids
    report["weekday"] = weekday
    baseline_yaml = scenario_to_yaml(scenario_from_dict(calibration.scenario, "baseline"))
    with db.atomic():
        scenario_id = planning.save_scenario(db, org_id=current_user.org_id, user_id=current_user.id,
                                             store_id=store_id, name=calibration.scenario["name"],
                                             baseline_yaml=baseline_yaml, calibration=report)
        audit_log.record(db, actor_id=current_user.id, action="calibrate", object_type="planner_scenario",
                         object_id=scenario_id, detail=f"store={store_id} {date_from}..{date_to}")
    waits, starts = observations.waits_and_starts(data["timings"], report["open_time"])
    _enqueue_fit_check(db, scenario_id, calibration.scenario, waits, starts)
    return redirect(url_for("planner.workspace", scenario_id=scenario_id))


@bp.route("/template", methods=["POST"])
@requires("planner.use")
def from_template():
    name = request.form.get("template", "")
    if name not in _templates():
        abort(404)
    db = get_db()
    scenario = simulation.load_scenario(EXAMPLES / name)
    with db.atomic():
        scenario_id = planning.save_scenario(db, org_id=current_user.org_id, user_id=current_user.id,
                                             store_id=None, name=scenario.name,
                                             baseline_yaml=scenario_to_yaml(scenario),
                                             calibration={"template": name, "open_time": "08:00"})
        audit_log.record(db, actor_id=current_user.id, action="scenario_create",
                         object_type="planner_scenario", object_id=scenario_id, detail=f"template={name}")
    return redirect(url_for("planner.workspace", scenario_id=scenario_id))


@bp.route("/s/<int:scenario_id>")
@requires("planner.use")
def workspace(scenario_id: int):
    return render_template("planner/workspace.html", **workspace_context(get_db(), _scenario_or_404(scenario_id)))


def workspace_context(db, row: dict) -> dict:
    """Everything the workspace page shows for a saved what-if."""
    from fieldapp.planner import experience

    scenario_id = row["id"]
    changes = whatif.changes_from_json(row["changes"])
    preview, error = _whatif_yaml(row, changes)
    fit_job = _latest_job(db, scenario_id, "fitcheck")
    return dict(s=row, changes=changes, preview=preview, yaml_error=error, fit_job=fit_job, rota=_rota(row),
                history=scenario_history(db, row),
                levers=words.levers_of(row["calibration"]),
                fit_view=planner_report.job_view(fit_job) if fit_job else {},
                side_by_side=planner_report.side_by_side(
                    planning.jobs_of_scenario(db, current_user.org_id, scenario_id, "compare")),
                factors=experience.learned_factors(db, row),
                jobs=[j for j in planning.jobs_of(db, current_user.org_id, limit=50)
                      if j["title"].startswith(f"#{scenario_id} ") and j["kind"] != "fitcheck"])


@bp.route("/s/<int:scenario_id>/changes", methods=["POST"])
@requires("planner.use")
def changes(scenario_id: int):
    """Save the what-if form (htmx, on every change) and show the resulting YAML."""
    db = get_db()
    row = _scenario_or_404(scenario_id)
    parsed = whatif.parse_changes(request.form, words.levers_of(row["calibration"]),
                                  keep=whatif.changes_from_json(row["changes"]))
    preview, error = (None, None)
    if not parsed.errors:
        preview, error = _whatif_yaml(row, parsed)
        if error is None:
            save_changes(db, row, parsed.as_dict())
    return web_htmx.render("planner/workspace.html", "planner/_whatif.html",
                           200 if not parsed.errors else 422, s=row, changes=parsed,
                           preview=preview, yaml_error=error,
                           saved=not parsed.errors and not error, rota=_rota(row),
                           levers=words.levers_of(row["calibration"]),
                           factors=__import__("fieldapp.planner.experience", fromlist=["_"]).learned_factors(db, row),
                           fit_job=None, jobs=[], side_by_side=None)


@bp.route("/s/<int:scenario_id>/<any(baseline, whatif):which>.yaml")
@requires("planner.use")
def download_yaml(scenario_id: int, which: str):
    row = _scenario_or_404(scenario_id)
    if which == "baseline":
        text = row["baseline_yaml"]
    else:
        text, error = _whatif_yaml(row, whatif.changes_from_json(row["changes"]))
        if error:
            abort(409, error)
    audit_log.record_export(get_db(), actor_id=current_user.id, object_type="planner_scenario",
                            object_id=scenario_id, detail=f"{which}.yaml")
    return Response(text, mimetype="application/x-yaml",
                    headers={"Content-Disposition": f"attachment; filename=scenario-{scenario_id}-{which}.yaml"})


@bp.route("/s/<int:scenario_id>/compare", methods=["POST"])
@requires("planner.use")
def compare(scenario_id: int):
    db = get_db()
    row = _scenario_or_404(scenario_id)
    changes = whatif.changes_from_json(row["changes"])
    baseline = yaml.safe_load(row["baseline_yaml"])
    open_time = row["calibration"].get("open_time", "08:00")
    spec = whatif.apply_changes(baseline, changes, open_time)
    job_id = planning.enqueue_job(db, org_id=current_user.org_id, user_id=current_user.id, kind="compare",
                                  title=_job_title(scenario_id, _("Baseline vs what-if")),
                                  payload={"scenario_id": scenario_id, "baseline": baseline, "whatif": spec,
                                           "changes": changes.as_dict(), "open_time": open_time,
                                           "rota": {st: {str(h): n for h, n in hours.items()}
                                                    for st, hours in rota_by_station(row).items()},
                                           "replications": COMPARE_REPLICATIONS, "seed": 1})
    return redirect(url_for("planner.job", job_id=job_id))


@bp.route("/s/<int:scenario_id>/sweep", methods=["POST"])
@requires("planner.use")
def sweep(scenario_id: int):
    """A grid: 0..N extra servers in the window × samples off/on."""
    db = get_db()
    row = _scenario_or_404(scenario_id)
    max_extra = request.form.get("max_extra", type=int)
    if max_extra is None or not 0 <= max_extra <= 4:
        abort(400)
    base_changes = whatif.changes_from_json(row["changes"])
    baseline = yaml.safe_load(row["baseline_yaml"])
    open_time = row["calibration"].get("open_time", "08:00")
    variants = []
    for samples in (False, True):
        for extra in range(max_extra + 1):
            variant = whatif.Changes(**{**base_changes.as_dict(), "extra_servers": extra, "samples": samples})
            variants.append({"label": f"+{extra} {'samples' if samples else '—'}",
                             "params": {"extra_servers": extra, "samples": samples},
                             "scenario": whatif.apply_changes(baseline, variant, open_time)})
    job_id = planning.enqueue_job(db, org_id=current_user.org_id, user_id=current_user.id, kind="sweep",
                                  title=_job_title(scenario_id, _("Sweep: servers × samples")),
                                  payload={"scenario_id": scenario_id, "variants": variants,
                                           "replications": 10, "seed": 1})
    return redirect(url_for("planner.job", job_id=job_id))


@bp.route("/jobs/<int:job_id>")
@requires("planner.use")
def job(job_id: int):
    """The job page; to htmx polling, only the progress/result fragment."""
    row = _job_or_404(job_id)
    response = web_htmx.render("planner/job.html", "planner/_job.html", job=row,
                               view=planner_report.job_view(row),
                               stores=stores.org_stores(get_db(), current_user.org_id))
    if web_htmx.wants_fragment() and row["status"] not in ("queued", "running"):
        response.status_code = 286  # htmx: stop polling
    return response


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@requires("planner.use")
def cancel(job_id: int):
    _job_or_404(job_id)
    db = get_db()
    planning.request_cancel(db, job_id)
    with db.atomic():
        audit_log.record(db, actor_id=current_user.id, action="cancel", object_type="sim_job", object_id=job_id)
    return redirect(url_for("planner.job", job_id=job_id))


@bp.route("/jobs/<int:job_id>/comparison.pdf")
@requires("planner.use")
def comparison_pdf(job_id: int):
    row = _job_or_404(job_id)
    if row["status"] != "done" or row["kind"] != "compare":
        abort(409)
    pdf = planner_report.comparison_pdf(row)
    audit_log.record_export(get_db(), actor_id=current_user.id, object_type="sim_job",
                            object_id=job_id, detail="comparison.pdf")
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=comparison-{job_id}.pdf"})


# -- helpers -----------------------------------------------------------------

def _scope(value: str, org_stores: dict) -> tuple[list[int], str, int | None]:
    """``s<id>`` is one store; ``t<type>`` all stores of a type, pooled into a typical one.

    :return: (store ids, a name for the baseline, the one store's id or None)
    """
    if value.startswith("s") and value[1:].isascii() and value[1:].isdigit() \
            and int(value[1:]) in org_stores:
        store = org_stores[int(value[1:])]
        return [store["id"]], store["name"], store["id"]
    if value.startswith("t"):
        ids = [s["id"] for s in org_stores.values() if s["store_type"] == value[1:]]
        if ids:
            return ids, _("Store type %(type)s (%(n)s stores)", type=value[1:], n=len(ids)), None
    return [], "", None


def rota_by_station(row: dict) -> dict[str, dict[int, int]]:
    """The baseline's servers per clock hour at every station."""
    baseline = yaml.safe_load(row["baseline_yaml"])
    open_time = row["calibration"].get("open_time", "08:00")
    return {st["name"]: dict(whatif.servers_per_hour(baseline, open_time, st["name"]))
            for st in baseline["stations"]}


def _rota(row: dict) -> list[tuple[int, int]]:
    """The baseline's servers per clock hour, shown as the what-if's rota grid."""
    return whatif.servers_per_hour(yaml.safe_load(row["baseline_yaml"]),
                                   row["calibration"].get("open_time", "08:00"))


def _job_title(scenario_id: int, what: str) -> str:
    """Job titles start with the what-if's number, which lists its runs."""
    return f"#{scenario_id} {what}"


def save_changes(db, row: dict, new: dict) -> None:
    """Store the what-if and, when something changed, one audit-log line saying what, from what.

    Scenarios are shared across the organisation (one planning team): any planner
    may open, edit and run any scenario, so every edit names its author.
    """
    old = whatif.changes_from_json(row["changes"]).as_dict()  # defaults filled in, like ``new``
    changed = {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v and k != "errors"}
    with db.atomic():
        planning.update_changes(db, row["id"], new)
        if changed:
            audit_log.record(db, actor_id=current_user.id, action="scenario_edit",
                             object_type="planner_scenario", object_id=row["id"],
                             detail="; ".join(f"{k}: {_short(a)} -> {_short(b)}"
                                              for k, (a, b) in sorted(changed.items()))[:1000])


def _short(value) -> str:
    text = value if isinstance(value, str) else __import__("json").dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def scenario_history(db, row: dict) -> dict:
    """Who made the scenario and every recorded change to it, newest first."""
    from fieldapp.storage import users

    owner = users.get_any(db, row["created_by"]) if row.get("created_by") else None
    entries, _total = audit_log.search(db, object_type="planner_scenario", object_id=str(row["id"]),
                                       limit=100)
    from fieldapp.admin.log_words import action_words

    for entry in entries:
        entry["words"] = action_words(entry["action"])
    return {"owner": owner["display_name"] if owner else "", "entries": entries}


def _templates() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def _scenario_or_404(scenario_id: int) -> dict:
    row = planning.get_scenario(get_db(), scenario_id, current_user.org_id)
    if row is None:
        abort(404)
    return row


def _job_or_404(job_id: int) -> dict:
    row = planning.get_job(get_db(), job_id, current_user.org_id)
    if row is None:
        abort(404)
    return row


def _latest_job(db, scenario_id: int, kind: str) -> dict | None:
    for j in planning.jobs_of(db, current_user.org_id, limit=100):
        if j["kind"] == kind and j["title"].startswith(f"#{scenario_id} "):
            return planning.get_job(db, j["id"])
    return None


def _whatif_yaml(row: dict, changes: whatif.Changes) -> tuple[str | None, str | None]:
    """The what-if as YAML, or the simulation's own one-line error."""
    try:
        spec = whatif.apply_changes(yaml.safe_load(row["baseline_yaml"]), changes,
                                    row["calibration"].get("open_time", "08:00"))
        return scenario_to_yaml(scenario_from_dict(spec, "what-if")), None
    except (ScenarioError, ValueError) as exc:
        return None, getattr(exc, "message", str(exc))


def _enqueue_fit_check(db, scenario_id: int, scenario: dict, waits: list, starts: list) -> None:
    planning.enqueue_job(db, org_id=current_user.org_id, user_id=current_user.id, kind="fitcheck",
                         title=_job_title(scenario_id, _("Fit check")),
                         payload={"scenario": scenario, "observed_waits_min": waits,
                                  "observed_at_min": starts, "replications": 10, "seed": 1})


from fieldapp.planner import decide  # noqa: E402,F401  (its routes join this blueprint)
