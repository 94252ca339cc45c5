"""Pool entries: classification, the facts behind undecided criteria, region prefixes, storing one enterprise."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.integration.test_tiers_cli import HNTE_READY

from techbridge.access import SYSTEM
from techbridge.models import Organization, TierPoolEntry, TierPoolState
from techbridge.policies.facts import parse_facts
from techbridge.policies.loader import shipped_policies
from techbridge.policies.pool_reads import make_filter, read_pools, region_prefix
from techbridge.policies.pools import classify, criterion_facts, pool_rows, refresh_enterprises
from techbridge.policies.service import exact_json, save_fact

AS_OF = date(2025, 6, 30)


def hnte() -> object:
    return next(p for p in shipped_policies() if p.id == "hnte" and p.is_in_force(AS_OF))


def by_policy(facts: dict[str, object]) -> dict[str, dict[str, object]]:
    return {row["policy"]: row for row in pool_rows(parse_facts(exact_json(facts)), AS_OF, shipped_policies())}


class TestClassify:
    def test_eligible_is_fully_close(self) -> None:
        row = by_policy(HNTE_READY)["hnte"]
        assert (row["verdict"], row["closeness"], row["detail"]) == ("eligible", 1.0, {})

    def test_one_failing_criterion_is_a_near_miss_with_its_gap(self) -> None:
        row = by_policy({**HNTE_READY, "hnte_innovation_score": 70})["hnte"]
        assert row["verdict"] == "near_miss"
        assert row["detail"]["failing_criterion"] == "innovation_score"
        assert row["detail"]["gaps"][0]["criterion"] == "innovation_score"
        assert 0 < row["closeness"] < 1

    def test_two_failing_criteria_are_ineligible(self) -> None:
        row = by_policy({**HNTE_READY, "hnte_innovation_score": 70, "ip_class1": 0, "ip_class2": 0})["hnte"]
        assert row["verdict"] == "ineligible"
        assert len(row["detail"]["failing_criteria"]) == 2

    def test_unknown_names_the_missing_facts(self) -> None:
        facts = {k: v for k, v in HNTE_READY.items() if k != "hnte_innovation_score"}
        row = by_policy(facts)["hnte"]
        assert row["verdict"] == "unknown"
        assert row["detail"] == {"unknown_criteria": ["innovation_score"], "missing_facts": ["hnte_innovation_score"]}

    def test_no_facts_at_all_lists_every_fact_a_criterion_reads(self) -> None:
        row = by_policy({})["hnte"]
        assert set(row["detail"]["missing_facts"]) >= {"founded_on", "employees", "hnte_innovation_score"}
        assert row["closeness"] == 0.0

    def test_result_without_criteria_is_not_close(self) -> None:
        result = {"policy": "x", "version": None, "verdict": "ineligible", "criteria": []}
        assert classify(result, None, {})["closeness"] == 0.0


class TestCriterionFacts:
    def test_every_top_level_criterion_of_every_policy_reads_a_fact(self) -> None:
        for policy in shipped_policies():
            reads = criterion_facts(policy)
            assert reads, policy.id
            assert all(reads.values()), (policy.id, [k for k, v in reads.items() if not v])


class TestRegionPrefix:
    def test_trailing_zero_pairs_are_dropped(self) -> None:
        assert [region_prefix(c) for c in ("210100", "210000", "2101", "210102", "", None)] == [
            "2101",
            "21",
            "2101",
            "210102",
            None,
            None,
        ]


class TestRefreshEnterprises:
    def test_stores_one_entry_per_policy_and_a_clean_state(self, session: Session) -> None:
        org = Organization(kind="enterprise", name="甲", normalized_name="甲", extra={"clusters": ["集成电路"]})
        session.add(org)
        session.flush()
        for fact, value in HNTE_READY.items():
            save_fact(session=session, viewer=SYSTEM, organization_id=org.id, fact=fact, value=value)
        assert refresh_enterprises(session=session, organization_ids=[org.id], as_of=AS_OF) == 1
        entries = session.scalars(select(TierPoolEntry).where(TierPoolEntry.organization_id == org.id)).all()
        assert len(entries) == 9
        assert {e.policy: e.verdict for e in entries}["hnte"] == "eligible"
        assert all(e.clusters == "|集成电路|" and e.as_of == AS_OF for e in entries)
        state = session.get(TierPoolState, org.id)
        assert state is not None
        assert (state.dirty, state.error) == (False, "")
        save_fact(session=session, viewer=SYSTEM, organization_id=org.id, fact="ip_class1", value=0)
        session.refresh(state)
        assert state.dirty is True

    def test_unreadable_facts_are_recorded_on_the_state_without_entries(self, session: Session) -> None:
        org = Organization(kind="enterprise", name="乙", normalized_name="乙", employees=-5)
        session.add(org)
        session.flush()
        refresh_enterprises(session=session, organization_ids=[org.id], as_of=AS_OF)
        state = session.get(TierPoolState, org.id)
        assert state is not None
        assert "employees" in state.error
        assert session.scalars(select(TierPoolEntry).where(TierPoolEntry.organization_id == org.id)).all() == []


class TestAPartialPoolSaysSo:
    def test_a_refresh_that_has_reached_one_of_two_enterprises_reads_as_partial(self, session: Session) -> None:
        orgs = [Organization(kind="enterprise", name=n, normalized_name=n) for n in ("丙", "丁")]
        session.add_all(orgs)
        session.flush()
        refresh_enterprises(session=session, organization_ids=[o.id for o in orgs], as_of=AS_OF)
        later = date(AS_OF.year + 1, 1, 15)
        refresh_enterprises(session=session, organization_ids=[orgs[0].id], as_of=later)  # a refresh stopped half way
        result = read_pools(session=session, flt=make_filter(session=session))
        assert (result["as_of"], result["evaluated"], result["enterprises"]) == (later.isoformat(), 1, 2)
        assert result["complete"] is False
        refresh_enterprises(session=session, organization_ids=[orgs[1].id], as_of=later)
        assert read_pools(session=session, flt=make_filter(session=session))["complete"] is True
