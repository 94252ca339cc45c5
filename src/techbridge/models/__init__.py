"""ORM classes, one module per aggregate; importing this package registers every table on Base.metadata."""

from techbridge.models.achievement import Achievement, AchievementKind, AchievementOwner, TransferMode
from techbridge.models.base import RecordMixin, Visibility
from techbridge.models.chain import ChainEdge, ChainNode, EdgeRelation, EnterpriseNode, NodeKind
from techbridge.models.challenge import (
    ApplicationStatus,
    Challenge,
    ChallengeApplication,
    ChallengeStatus,
    Milestone,
    MilestoneStatus,
)
from techbridge.models.code_table import CodeEntry
from techbridge.models.demand import Demand, DemandStatus
from techbridge.models.expert import Expert
from techbridge.models.import_run import ImportRun
from techbridge.models.organization import CarrierType, Organization, OrganizationAlias, OrgKind
from techbridge.models.region import Region, RegionLevel
from techbridge.models.search import SearchIndexState, SearchVector
from techbridge.models.tier import EnterpriseFact
from techbridge.models.tier_pool import TierPoolEntry, TierPoolState
from techbridge.models.transfer import (
    Contract,
    ContractAchievement,
    ContractRollup,
    EventKind,
    PaymentMilestone,
    PilotCapacity,
    Stage,
    TransferCase,
    TransferEvent,
)
from techbridge.models.user import Role, User

__all__ = [
    "Achievement",
    "AchievementKind",
    "AchievementOwner",
    "ApplicationStatus",
    "CarrierType",
    "ChainEdge",
    "ChainNode",
    "Challenge",
    "ChallengeApplication",
    "ChallengeStatus",
    "CodeEntry",
    "Contract",
    "ContractAchievement",
    "ContractRollup",
    "Demand",
    "DemandStatus",
    "EdgeRelation",
    "EnterpriseFact",
    "EnterpriseNode",
    "EventKind",
    "Expert",
    "ImportRun",
    "Milestone",
    "MilestoneStatus",
    "NodeKind",
    "OrgKind",
    "Organization",
    "OrganizationAlias",
    "PaymentMilestone",
    "PilotCapacity",
    "RecordMixin",
    "Region",
    "RegionLevel",
    "Role",
    "SearchIndexState",
    "SearchVector",
    "Stage",
    "TierPoolEntry",
    "TierPoolState",
    "TransferCase",
    "TransferEvent",
    "TransferMode",
    "User",
    "Visibility",
]
