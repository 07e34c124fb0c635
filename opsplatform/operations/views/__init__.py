"""The operation pages. One module per area; each registers its routes on ``bp``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("operations", __name__, url_prefix="/operations")

from .. import needs  # noqa: E402,F401  (registers what the domain asks of people)
from . import (  # noqa: E402,F401  (routes register on import)
    compliance,
    directory,
    documents,
    overview,
    participants,
)


@bp.context_processor
def _template_helpers() -> dict:
    from opsplatform.audit.presentation import describe
    from opsplatform.core.vocabularies import SubstanceGroup, TransportMode

    def label_of(enum_class):
        def label(value: str) -> str:
            try:
                return enum_class(value).label
            except ValueError:
                return value

        return label

    return {
        "zip": zip,
        "describe_activity": describe,
        "substance_label": label_of(SubstanceGroup),
        "transport_label": label_of(TransportMode),
    }
