from __future__ import annotations

from flask_login import current_user

from . import bp
from .schemas.accounts import MeSchema


@bp.get("/me")
def me():
    """The account the token belongs to.
    ---
    get:
      summary: Who am I
      tags: [Accounts]
      responses:
        200:
          description: The account that owns the token
          content:
            application/json:
              schema: MeSchema
    """
    return MeSchema().dump(current_user)
