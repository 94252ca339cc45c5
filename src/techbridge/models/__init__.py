"""ORM classes, one module per aggregate; importing this package registers every table on Base.metadata."""

from techbridge.models.achievement import Achievement, AchievementKind, AchievementOwner, TransferMode
from techbridge.models.audit import AuditAction, AuditEntry, LoginFailure
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
from techbridge.models.connect import ConnectMessage, ConnectMode, ConnectRequest, ConnectStatus
from techbridge.models.data_version import DataVersion
from techbridge.models.demand import Demand, DemandStatus
from techbridge.models.expert import Expert
from techbridge.models.import_run import ImportRun
from techbridge.models.notification import (
    AlertCursor,
    AlertSetting,
    DigestFrequency,
    EmailMessage,
    Notification,
    Subscription,
    SubscriptionKind,
)
from techbridge.models.organization import CarrierType, Organization, OrganizationAlias, OrgKind
from techbridge.models.outbox import OutboxEvent
from techbridge.models.project import ResearchProject
from techbridge.models.region import Region, RegionLevel
from techbridge.models.search import SearchIndexState, SearchVector
from techbridge.models.statistic import Flow, Measure, OfficialStatistic
from techbridge.models.tier import EnterpriseFact
from techbridge.models.tier_pool import TierPoolEntry, TierPoolState
from techbridge.models.transfer import (
    OPEN_STAGES,
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
    "OPEN_STAGES",
    "Achievement",
    "AchievementKind",
    "AchievementOwner",
    "AlertCursor",
    "AlertSetting",
    "ApplicationStatus",
    "AuditAction",
    "AuditEntry",
    "CarrierType",
    "ChainEdge",
    "ChainNode",
    "Challenge",
    "ChallengeApplication",
    "ChallengeStatus",
    "CodeEntry",
    "ConnectMessage",
    "ConnectMode",
    "ConnectRequest",
    "ConnectStatus",
    "Contract",
    "ContractAchievement",
    "ContractRollup",
    "DataVersion",
    "Demand",
    "DemandStatus",
    "DigestFrequency",
    "EdgeRelation",
    "EmailMessage",
    "EnterpriseFact",
    "EnterpriseNode",
    "EventKind",
    "Expert",
    "Flow",
    "ImportRun",
    "LoginFailure",
    "Measure",
    "Milestone",
    "MilestoneStatus",
    "NodeKind",
    "Notification",
    "OfficialStatistic",
    "OrgKind",
    "Organization",
    "OrganizationAlias",
    "OutboxEvent",
    "PaymentMilestone",
    "PilotCapacity",
    "RecordMixin",
    "Region",
    "RegionLevel",
    "ResearchProject",
    "Role",
    "SearchIndexState",
    "SearchVector",
    "Stage",
    "Subscription",
    "SubscriptionKind",
    "TierPoolEntry",
    "TierPoolState",
    "TransferCase",
    "TransferEvent",
    "TransferMode",
    "User",
    "Visibility",
]
