"""Flask extension objects, created once and bound in the app factory."""

from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
htmx = HTMX()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

# Throttles failed logins per client address (see auth.login). Behind a
# reverse proxy, wrap the app in werkzeug's ProxyFix so the address is real.
limiter = Limiter(get_remote_address, storage_uri="memory://", default_limits=[])
