"""lms: a Flask LMS for clinical training in psychedelic care.

Standalone: `lms.create_app()`. In a host app: `lms.LMS(app, url_prefix="/learn")`.
"""

from lms.app import create_app
from lms.extension import LMS
from lms.identity import UserInfo, forget_user

__all__ = ["LMS", "UserInfo", "create_app", "forget_user"]
