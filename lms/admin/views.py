"""Admin pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, request

from lms.access import role_required
from lms.models import OutboxMessage, Role
from lms.web import lms_blueprint

bp = lms_blueprint("admin", __name__)

OUTBOX_PAGE_SIZE = 20
MAX_PAGE = 100_000


@bp.get("/admin/outbox")
@role_required(Role.ADMIN)
def outbox() -> str:
    """Every mail the LMS sent or tried to send, newest first."""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    query = sa.select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()
    )
    messages = current_app.extensions["sqlalchemy"].paginate(
        query, page=page, per_page=OUTBOX_PAGE_SIZE, error_out=False
    )
    return render_template("lms/admin/outbox.html", messages=messages)
