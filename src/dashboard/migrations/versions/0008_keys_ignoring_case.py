"""keys unique ignoring case: a property's and a decision's reference, and a phase's name within its strategy, so that
"rs-p1-01" cannot become a second property beside RS-P1-01; a store already holding such a pair is refused, naming
each, before anything changes

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (index, table, the key's column, the columns it is unique within, what one row is called in a message)
KEYS = (
    ("uq_decision_reference_lower", "decision", "reference", (), "decision references"),
    ("uq_phase_name_lower", "phase", "name", ("strategy_id",), "phase names"),
    ("uq_property_reference_lower", "property", "reference", (), "property references"),
)


class KeysDifferOnlyInCapitals(RuntimeError):
    """The store holds keys that differ only in capitals: which are one thing is for a person to decide."""


def upgrade() -> None:
    connection = op.get_bind()
    clashes = [line for key in KEYS for line in _clashes(connection, *key[1:])]
    if clashes:
        raise KeysDifferOnlyInCapitals(
            "The store holds keys that differ only in capitals, which this version of the dashboard counts as one: "
            + "; ".join(clashes)
            + ". Nothing was changed. Decide which of each is right, rename or remove the other "
            "with the version of the dashboard that wrote them, then upgrade again."
        )
    for name, table, column, within, _ in KEYS:
        # if_not_exists: a store set back to an earlier revision by hand (as tests do) keeps its indexes.
        op.create_index(name, table, [*within, sa.text(f"lower({column})")], unique=True, if_not_exists=True)


def downgrade() -> None:
    for name, table, *_ in reversed(KEYS):
        op.drop_index(name, table_name=table)


def _clashes(connection: sa.Connection, table: str, column: str, within: tuple[str, ...], called: str) -> list[str]:
    """'RS-P1-01 and rs-p1-01 (property references)' for each set of keys in `table` that are one ignoring capitals
    (read whole: a store holds thousands of keys, not millions)."""
    rows = sa.table(table, sa.column(column), *(sa.column(name) for name in within))
    groups: dict[tuple, list[str]] = {}
    for *scope, key in connection.execute(sa.select(*(rows.c[name] for name in within), rows.c[column])):
        groups.setdefault((*scope, key.casefold()), []).append(key)
    return [f"{' and '.join(sorted(keys))} ({called})" for keys in groups.values() if len(keys) > 1]
