"""Controlled vocabularies shared by operations, seizures and reports.

Stored by value (a stable code); shown by label, translated.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from .templating import translate


class LabelledEnum(enum.StrEnum):
    """A StrEnum whose members carry a translated label (``LABELS`` on the class)."""

    @property
    def label(self) -> str:
        return translate(type(self).labels()[self])

    @classmethod
    def labels(cls) -> dict:
        return cls._labels  # type: ignore[attr-defined]

    @classmethod
    def labels_now(cls) -> dict:
        """Each member's label, translated once: for a page that shows one on every row."""
        return {member: member.label for member in cls}

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """Choices for a form field; the labels stay lazy, translated when rendered."""
        return [SelectChoice(member.value, cls.labels()[member]) for member in cls]


def with_labels(labels: dict):
    """Attach ``labels`` (member -> lazy string) to a LabelledEnum; every member needs one."""

    def decorate(cls):
        missing = set(cls) - set(labels)
        if missing:
            raise TypeError(f"{cls.__name__} lacks labels for {sorted(missing)}")
        cls._labels = labels
        return cls

    return decorate


class SubstanceGroup(LabelledEnum):
    SYNTHETIC_CANNABINOIDS = "synthetic_cannabinoids"
    SYNTHETIC_CATHINONES = "synthetic_cathinones"
    PHENETHYLAMINES = "phenethylamines"
    TRYPTAMINES = "tryptamines"
    PIPERAZINES = "piperazines"
    AMINOINDANES = "aminoindanes"
    KETAMINE_PCP_TYPE = "ketamine_pcp_type"
    PLANT_BASED = "plant_based"
    OTHER_NPS = "other_nps"
    SYNTHETIC_OPIOIDS = "synthetic_opioids"
    CONTROLLED_SYNTHETIC_DRUGS = "controlled_synthetic_drugs"
    PRECURSORS = "precursors"


with_labels({
    SubstanceGroup.SYNTHETIC_CANNABINOIDS: _l("Synthetic cannabinoids"),
    SubstanceGroup.SYNTHETIC_CATHINONES: _l("Synthetic cathinones"),
    SubstanceGroup.PHENETHYLAMINES: _l("Phenethylamines"),
    SubstanceGroup.TRYPTAMINES: _l("Tryptamines"),
    SubstanceGroup.PIPERAZINES: _l("Piperazines"),
    SubstanceGroup.AMINOINDANES: _l("Aminoindanes"),
    SubstanceGroup.KETAMINE_PCP_TYPE: _l("Ketamine and phencyclidine-type substances"),
    SubstanceGroup.PLANT_BASED: _l("Plant-based substances"),
    SubstanceGroup.OTHER_NPS: _l("Other NPS"),
    SubstanceGroup.SYNTHETIC_OPIOIDS: _l("Synthetic opioids (fentanyl analogues, nitazenes)"),
    SubstanceGroup.CONTROLLED_SYNTHETIC_DRUGS: _l(
        "Controlled synthetic drugs (methamphetamine, MDMA)"),
    SubstanceGroup.PRECURSORS: _l("Precursors"),
})(SubstanceGroup)


class TransportMode(LabelledEnum):
    AIR_CARGO = "air_cargo"
    AIR_PASSENGER = "air_passenger"
    POSTAL = "postal"
    EXPRESS_COURIER = "express_courier"
    SEA_CONTAINER = "sea_container"
    SEA_OTHER = "sea_other"
    ROAD = "road"
    RAIL = "rail"


with_labels({
    TransportMode.AIR_CARGO: _l("Air cargo"),
    TransportMode.AIR_PASSENGER: _l("Air passenger"),
    TransportMode.POSTAL: _l("Postal"),
    TransportMode.EXPRESS_COURIER: _l("Express courier"),
    TransportMode.SEA_CONTAINER: _l("Sea container"),
    TransportMode.SEA_OTHER: _l("Sea, other"),
    TransportMode.ROAD: _l("Road"),
    TransportMode.RAIL: _l("Rail"),
})(TransportMode)


class HandlingCode(LabelledEnum):
    """Europol SIENA handling codes."""

    H0 = "H0"
    H1 = "H1"
    H2 = "H2"
    H3 = "H3"


with_labels({
    HandlingCode.H0: _l("H0 — use only for preventing and combating crime"),
    HandlingCode.H1: _l("H1 — not to be used in court without the provider's permission"),
    HandlingCode.H2: _l("H2 — not to be passed on without the provider's permission"),
    HandlingCode.H3: _l("H3 — other restrictions"),
})(HandlingCode)


class TlpLevel(LabelledEnum):
    """FIRST Traffic Light Protocol 2.0."""

    RED = "TLP:RED"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    AMBER = "TLP:AMBER"
    GREEN = "TLP:GREEN"
    CLEAR = "TLP:CLEAR"


with_labels({
    TlpLevel.RED: _l("TLP:RED — for the eyes and ears of individual recipients only"),
    TlpLevel.AMBER_STRICT: _l("TLP:AMBER+STRICT — recipients' organisation only"),
    TlpLevel.AMBER: _l("TLP:AMBER — recipients' organisation and its clients, need to know"),
    TlpLevel.GREEN: _l("TLP:GREEN — the community, not publicly"),
    TlpLevel.CLEAR: _l("TLP:CLEAR — no limit on disclosure"),
})(TlpLevel)
