"""Flask extension objects, created once and bound in the app factory."""

from flask_htmx import HTMX
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
htmx = HTMX()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

# Failed logins are throttled in SQLite (storage/logins.py), per address and per
# account. Behind a reverse proxy, wrap the app in werkzeug's ProxyFix so the
# address is the phone's, not the proxy's.
