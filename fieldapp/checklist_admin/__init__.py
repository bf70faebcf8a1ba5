"""Admins manage checklists in the browser: upload, preview, compare, publish, retire."""
