"""Data versions on PostgreSQL are bumped at commit, once per transaction, instead of at each statement.

Why: the statement triggers of 0018 updated the `chain_graph` counter row as soon as a transaction wrote one of the
chain graph's tables, and held that row's lock until the transaction ended. A long transaction (one source of
`import all`, about a minute for chain_kg) therefore held back every portal write to organisations, achievements
or experts until it committed. Now deferred constraint triggers run at commit time, and a transaction-local flag
makes only the first of them update the counter: the row is locked only while the transaction commits, and the
counter still moves in the same transaction as the data, so a reader never sees the new version before the rows.
TRUNCATE keeps an immediate statement trigger (it locks the whole table anyway). A statement trigger marks the
transaction as a writer of those tables (a transaction-local setting, no lock), so a cache read inside it does not
trust the not-yet-moved counter (`models.data_version.data_version`). The `search_vectors` counter of 0019 gets the
same triggers. SQLite is unchanged: one writer at a time, and the triggers are per row.
Risk: low; a COPY of many rows queues one deferred trigger event per row until commit (a few bytes each).
Downgrade restores the statement triggers.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTERS = {
    "chain_graph": (
        "chain_nodes",
        "chain_edges",
        "enterprise_nodes",
        "organizations",
        "achievements",
        "achievement_owners",
        "experts",
    ),
    "search_vectors": ("search_vectors",),
}
DIRTY_PREFIX = "techbridge.dirty_"
"""The transaction-local setting a writer of a counter's tables carries (`models.data_version.DIRTY_PREFIX`)."""
OLD_FUNCTIONS = {"chain_graph": "techbridge_bump_chain_graph", "search_vectors": "techbridge_bump_search_vectors"}


def _old_trigger(counter: str, table: str) -> str:
    return f"tg_{table}_chain_graph" if counter == "chain_graph" else f"tg_{table}_version"


def _bump(counter: str) -> str:
    return f"UPDATE data_versions SET version = version + 1 WHERE name = '{counter}'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for counter, tables in COUNTERS.items():
        flag = f"techbridge.bumped_{counter}"
        op.execute(
            f"CREATE FUNCTION techbridge_bump_{counter}_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF current_setting('{flag}', true) IS DISTINCT FROM 'yes' THEN {_bump(counter)}; "
            f"PERFORM set_config('{flag}', 'yes', true); END IF; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE FUNCTION techbridge_mark_{counter}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"PERFORM set_config('{DIRTY_PREFIX}{counter}', 'yes', true); RETURN NULL; END $$"
        )
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {_old_trigger(counter, table)} ON {table}")
            op.execute(
                f"CREATE TRIGGER tg_{table}_{counter}_mark AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION techbridge_mark_{counter}()"
            )
            op.execute(
                f"CREATE CONSTRAINT TRIGGER tg_{table}_{counter}_commit AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION techbridge_bump_{counter}_at_commit()"
            )
            op.execute(
                f"CREATE TRIGGER tg_{table}_{counter}_truncate AFTER TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {OLD_FUNCTIONS[counter]}()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for counter, tables in COUNTERS.items():
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS tg_{table}_{counter}_commit ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS tg_{table}_{counter}_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS tg_{table}_{counter}_mark ON {table}")
            op.execute(
                f"CREATE TRIGGER {_old_trigger(counter, table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {OLD_FUNCTIONS[counter]}()"
            )
        op.execute(f"DROP FUNCTION IF EXISTS techbridge_bump_{counter}_at_commit()")
        op.execute(f"DROP FUNCTION IF EXISTS techbridge_mark_{counter}()")
