"""Every model of the platform, imported in one place for Alembic and the CLI."""

from opsplatform.audit.models import AuditEntry  # noqa: F401
from opsplatform.auth.models import ApiToken, User  # noqa: F401
from opsplatform.core.db import Base
from opsplatform.core.files import StoredFile  # noqa: F401
from opsplatform.messaging.models import (  # noqa: F401
    AlertDetails,
    Message,
    MessageAddressee,
    MessageAttachment,
    MessageDelivery,
    MessageRead,
)
from opsplatform.operations.models import (  # noqa: F401
    Membership,
    Operation,
    OperationDocument,
    Participation,
    PeriodReturn,
    Phase,
    Reminder,
    ReportingPeriod,
)
from opsplatform.organisations.models import Organisation  # noqa: F401

metadata = Base.metadata
