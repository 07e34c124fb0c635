"""core/templating.moment_formatter: the same text as the ``datetime`` filter, found quicker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user

from opsplatform.auth.models import User
from opsplatform.core.templating import format_moment, moment_formatter

# Either side of the European clock changes, the turn of a year, a minute almost over.
MOMENTS = [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 1, tzinfo=UTC),
           datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
           datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
           datetime(2026, 7, 1, 12, 0, tzinfo=UTC) + timedelta(microseconds=999_999)]


@pytest.mark.parametrize("zone", [None, "Asia/Tokyo", "Europe/Brussels", "America/New_York",
                                  "Pacific/Chatham"])
def test_it_writes_what_the_datetime_filter_writes(app, zone):
    with app.test_request_context():
        login_user(User(email="reader@example.org", display_name="Reader", time_zone=zone,
                        is_active=True), force=True)
        moment = moment_formatter()
        for value in MOMENTS:
            assert moment(value) == format_moment(value)
        if zone == "Asia/Tokyo":
            assert moment(MOMENTS[3]) == "Jan 1, 2027, 08:59 GMT+09:00"
