"""The time zones a person may choose: IANA's zones of inhabited places, grouped by region.

The list is tzdata's ``zone.tab`` (one line per country and zone), shipped with the
``tzdata`` package, so every machine offers the same zones, none of the aliases
("US/Eastern"), pseudo-zones ("Factory", "localtime") or ``Etc/GMT+5`` offsets that
``zoneinfo.available_timezones()`` also lists. Each zone is named by its country, in
the reader's language, and its main city: "South Korea — Seoul".
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel import Locale
from flask_babel import lazy_gettext as _l

UTC = "UTC"
# The first part of a zone's name, as the picker's groups call it.
REGIONS = {
    "Africa": _l("Africa"),
    "America": _l("Americas"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
    "Asia": _l("Asia"),
    "Atlantic": _l("Atlantic Ocean"),
    "Australia": _l("Australia"),
    "Europe": _l("Europe"),
    "Indian": _l("Indian Ocean"),
    "Pacific": _l("Pacific Ocean"),
}

Choice = tuple[str, str]
Group = tuple[str, tuple[Choice, ...]]


@cache
def _zone_countries() -> tuple[tuple[str, str], ...]:
    """(zone, ISO country code) for every line of tzdata's zone.tab."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return tuple((columns[2], columns[0]) for columns in rows)


@cache
def known_zones() -> frozenset[str]:
    return frozenset(zone for zone, _country in _zone_countries()) | {UTC}


def is_known(zone: str) -> bool:
    return zone in known_zones()


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def grouped_choices(locale: str) -> tuple[Choice | Group, ...]:
    """UTC first, then one group per region, its zones in the order of their labels.

    Built once per locale (the labels are the reader's language) and passed to
    ``core.forms.LongSelect``, which renders each group as an ``<optgroup>``.
    """
    territories = Locale.parse(locale).territories
    members: dict[str, list[Choice]] = {region: [] for region in REGIONS}
    for zone, country in _zone_countries():
        region = zone.split("/", 1)[0]
        if region in members:
            members[region].append((zone, f"{territories.get(country, country)} — {_city(zone)}"))
    groups = tuple((str(REGIONS[region]), tuple(sorted(zones, key=lambda choice: choice[1])))
                   for region, zones in members.items() if zones)
    return ((UTC, "UTC"), *groups)
