"""Notifications: the in-app inbox, per-user settings, e-mail through the outbox.

Other features call :func:`fieldapp.notify.workflow.send`.
"""
