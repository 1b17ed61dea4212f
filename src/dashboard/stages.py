"""The stages a property passes through, from building to open home: the one definition of their order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BedLevel = Literal["pipeline", "secured", "registered", "open"]

# Levels at which progress to the bed target is read, least to most advanced.
BED_LEVELS: tuple[BedLevel, ...] = ("pipeline", "secured", "registered", "open")


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    # Short name used for the tracker's "<column> planned" / "<column> actual" headers.
    column: str
    # The bed level a property reaches once this stage's actual date has passed.
    reaches: BedLevel | None = None


STAGES: tuple[Stage, ...] = (
    Stage("identified", "Property identified", "Identified", reaches="pipeline"),
    Stage("offer_accepted", "Offer accepted", "Offer accepted"),
    Stage("survey", "Survey", "Survey"),
    Stage("legal", "Legal / conveyancing", "Legal"),
    Stage("completion", "Completion: property procured", "Completion", reaches="secured"),
    Stage("planning", "Planning: change of use C3 to C2", "Planning"),
    Stage("refurbishment", "Refurbishment and fire/safety sign-off", "Refurbishment"),
    Stage("recruitment", "Registered manager and staff recruited", "Recruitment"),
    Stage("ofsted_application", "Ofsted application (SC1/SC2)", "Ofsted application"),
    Stage("registration_visit", "Ofsted registration visit", "Registration visit"),
    Stage("ofsted_registration", "Ofsted registration", "Ofsted registration", reaches="registered"),
    Stage("opened", "Home open, first child placed", "Opened", reaches="open"),
)

STAGE_KEYS: tuple[str, ...] = tuple(stage.key for stage in STAGES)
STAGE_BY_KEY: dict[str, Stage] = {stage.key: stage for stage in STAGES}
STAGE_POSITION: dict[str, int] = {stage.key: position for position, stage in enumerate(STAGES, start=1)}


def stage_reaching(level: BedLevel) -> Stage:
    """The stage whose completion puts a property's beds at `level`."""
    return next(stage for stage in STAGES if stage.reaches == level)
