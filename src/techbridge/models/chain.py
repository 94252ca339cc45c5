"""Industry-chain graph: nodes (product / industry), typed weighted edges, and enterprise → node links."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from techbridge.db import Base


class NodeKind(StrEnum):
    """A chain node is a product or an industry."""

    PRODUCT = "product"
    INDUSTRY = "industry"


class EdgeRelation(StrEnum):
    """Edge types as the sources name them."""

    UPSTREAM_MATERIAL = "上游材料"
    DOWNSTREAM_PRODUCT = "下游产品"
    SUBCATEGORY = "产品小类"
    PARENT_INDUSTRY = "上级行业"
    UPSTREAM_OF = "上游于"
    SUPPLIES = "供给"
    CONTAINS = "包含"


class ChainNode(Base):
    """A product or industry in the chain graph; unique by (kind, name)."""

    __tablename__ = "chain_nodes"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NodeKind] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    code: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[int | None] = mapped_column()
    source_dataset: Mapped[str] = mapped_column(String(64))


class ChainEdge(Base):
    """A typed, weighted edge between two chain nodes, with its source and optional date."""

    __tablename__ = "chain_edges"
    __table_args__ = (UniqueConstraint("src_id", "dst_id", "relation", "source_dataset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    src_id: Mapped[int] = mapped_column(ForeignKey("chain_nodes.id", ondelete="CASCADE"), index=True)
    dst_id: Mapped[int] = mapped_column(ForeignKey("chain_nodes.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(16), index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    source_dataset: Mapped[str] = mapped_column(String(64))
    observed_on: Mapped[date | None] = mapped_column(Date)


class EnterpriseNode(Base):
    """An enterprise's link to a chain node (主营产品 with revenue weight, 涉足行业, 归属于行业)."""

    __tablename__ = "enterprise_nodes"
    __table_args__ = (UniqueConstraint("organization_id", "node_id", "relation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("chain_nodes.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(String(255), default="")
    source_dataset: Mapped[str] = mapped_column(String(64))
