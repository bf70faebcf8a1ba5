"""Who may use each route: the one table the authorisation test reads.

The targets are fixed demo objects: a released visit by the mystery shopper
``shopper`` at Haeundae (HU03, managed by ``manager2``; ``manager`` runs the
other two stores), one of its photos, one of its corrective actions, an
assignment of ``shopper``, and a planner scenario and job of the organisation.
Everyone not listed for a route must get 403 or 404 (anonymous: the login
page), whatever the id; the listed users must get anything but that.
"""

USERS = ("admin", "manager", "manager2", "reviewer", "shopper", "staff", "planner", "crew")
PUBLIC = "public"          # no login needed
ANY_USER = set(USERS)      # any logged-in user
OFFICE = {"admin", "reviewer", "manager", "manager2"}
REPORT_READERS = {"admin", "reviewer", "manager2"}   # may read this visit's reports
PLANNERS = {"admin", "planner"}

ALLOWED = {
    "home.root": PUBLIC,
    "auth.login": PUBLIC,
    "static": PUBLIC,
    "pwa.manifest": PUBLIC,
    "pwa.service_worker": PUBLIC,
    "home.index": ANY_USER,
    "auth.logout": ANY_USER,
    "auth.set_locale": ANY_USER,
    # the auditor's flow: only the visit's own auditor
    "audit.start": {"shopper"},
    "audit.new_internal": {"staff"},
    "audit.visit": {"shopper", "admin", "reviewer", "manager2"},
    "audit.stage": {"shopper"},
    "audit.answer": {"shopper"},
    "audit.timing": {"shopper"},
    "audit.timing_reset": {"shopper"},
    "audit.clock_mark": {"shopper"},
    "audit.clock_correct": {"shopper"},
    "audit.clock_undo": {"shopper"},
    "audit.discard": {"shopper"},
    "audit.upload_photo": {"shopper"},
    "audit.delete_photo": {"shopper"},
    "audit.feeling": {"shopper"},
    "audit.summary": {"shopper"},
    "photos_views.photo": {"shopper", "admin", "reviewer", "manager2"},
    # review
    "review.show": {"shopper", "admin", "reviewer", "manager2"},
    "review.comment": {"admin", "reviewer"},
    "review.decide": {"admin", "reviewer"},
    "review.correct": {"admin", "reviewer"},
    "assignments.index": OFFICE,
    # manager side
    "reports.visit_html": REPORT_READERS,
    "reports.visit_pdf": REPORT_READERS,
    "reports.period_html": OFFICE,
    "reports.period_pdf": OFFICE,
    "dashboard.index": OFFICE,
    "dashboard.customers": OFFICE,
    "dashboard.data_csv": OFFICE,
    "dashboard.data_json": OFFICE,
    # corrective actions: ``crew`` is HU03's store staff (issue 16)
    "actions.index": OFFICE | {"crew"},
    "actions.show": REPORT_READERS | {"crew"},
    "actions.new": {"admin", "manager2"},
    "actions.create_view": {"admin", "manager2"},
    "actions.done": {"admin", "manager2", "crew"},
    "actions.verify_view": {"admin", "manager2"},
    "actions.edit": {"admin", "manager2"},
    "actions.comment": {"admin", "manager2", "crew"},
    "actions.photo": REPORT_READERS | {"crew"},
    # store disputes (issue 16): the store's manager raises, a reviewer decides
    "disputes.new": {"manager2"},
    "disputes.index": OFFICE,
    "disputes.show": {"admin", "reviewer", "manager2"},
    "disputes.decide": {"admin", "reviewer"},
    # notifications (issue 16): everyone's own inbox; ``notification_id`` is manager2's
    "notify.inbox": ANY_USER,
    "notify.bell": ANY_USER,
    "notify.read_all": ANY_USER,
    "notify.settings": ANY_USER,
    "notify.open_one": {"manager2"},
    "notify.toggle": {"manager2"},
    "notify.outbox": {"admin"},
    # planner
    "planner.index": PLANNERS,
    "planner.baseline": PLANNERS,
    "planner.from_template": PLANNERS,
    "planner.workspace": PLANNERS,
    "planner.changes": PLANNERS,
    "planner.download_yaml": PLANNERS,
    "planner.compare": PLANNERS,
    "planner.sweep": PLANNERS,
    "planner.job": PLANNERS,
    "planner.cancel": PLANNERS,
    "planner.comparison_pdf": PLANNERS,
    "planner.inputs": PLANNERS,
    "planner.staff": PLANNERS,
    "planner.try_staffing": PLANNERS,
    "planner.adopt": PLANNERS,
    "admin.audit_log_page": {"admin"},
    # issue 15: people, stores, settings, imports, the audit log's CSV; passwords;
    # schedules for coordinators; the job board for auditors (never a manager)
    "admin.audit_log_csv": {"admin"},
    "admin.users_page": {"admin"},
    "admin.user_new": {"admin"},
    "admin.user_edit": {"admin"},
    "admin.user_password": {"admin"},
    "admin.stores_page": {"admin"},
    "admin.store_new": {"admin"},
    "admin.store_edit": {"admin"},
    "admin.settings_page": {"admin"},
    "admin.import_page": {"admin"},
    "admin.import_preview": {"admin"},
    "admin.import_apply": {"admin"},
    "password.change": ANY_USER,
    "schedules.index": {"admin", "reviewer"},
    "schedules.show": {"admin", "reviewer"},
    "schedules.run": {"admin", "reviewer"},
    "schedules.set_active": {"admin", "reviewer"},
    "schedules.extend": {"admin", "reviewer"},
    "schedules.board": {"shopper", "staff"},
    "schedules.claim": {"shopper", "staff"},
    "checklist_admin.index": {"admin"},
    "checklist_admin.upload": {"admin"},
    "checklist_admin.show": {"admin"},
    "checklist_admin.preview": {"admin"},
    "checklist_admin.compare": {"admin"},
    "checklist_admin.publish": {"admin"},
    "checklist_admin.retire": {"admin"},
    "checklist_admin.store_types": {"admin"},
    "checklist_admin.download_xlsx": {"admin"},
    # customer voice (issue 17): the survey is public; ``token`` is HU03's store link
    "voice.start": PUBLIC,
    "voice.stage": PUBLIC,
    "voice.finish": PUBLIC,
    "voice.thanks": PUBLIC,
    "voice_admin.rounds": {"admin", "reviewer"},
    "voice_admin.show": {"admin", "reviewer"},
    "voice_admin.invite": {"admin", "reviewer"},
    "voice_admin.close": {"admin", "reviewer"},
    "voice_admin.poster_pdf": {"admin", "reviewer"},
    "voice_admin.flag": {"admin", "reviewer"},
    "voice_results.comments": OFFICE,
    "voice_results.drivers": OFFICE,
    "voice_results.response": {"admin", "reviewer", "manager2"},
    "voice_results.followup": {"admin", "manager2"},
    "voice_results.followup_done": {"admin", "manager2"},
}

# What a route needs besides its URL to get past "not found" for an allowed
# user (``{failed_item}`` is one failed item of the target visit).
QUERY = {"actions.new": {"item": "{failed_item}"}, "disputes.new": {"item": "{failed_item}"}}
FORM = {"actions.create_view": {"item_key": "{failed_item}"}, "disputes.new": {"item": "{failed_item}"},
        "planner.from_template": {"template": "doughnut_saturday.yaml"},
        "admin.import_preview": {"kind": "stores"}, "admin.import_apply": {"kind": "stores"}}
