"""ORM classes, one module per aggregate; importing this package registers every table on Base.metadata."""

from techbridge.models.achievement import Achievement, AchievementKind, AchievementOwner, TransferMode
from techbridge.models.base import RecordMixin, Visibility
from techbridge.models.chain import ChainEdge, ChainNode, EdgeRelation, EnterpriseNode, NodeKind
from techbridge.models.code_table import CodeEntry
from techbridge.models.demand import Demand, DemandStatus
from techbridge.models.expert import Expert
from techbridge.models.import_run import ImportRun
from techbridge.models.organization import CarrierType, Organization, OrganizationAlias, OrgKind
from techbridge.models.region import Region, RegionLevel
from techbridge.models.user import Role, User

__all__ = [
    "Achievement",
    "AchievementKind",
    "AchievementOwner",
    "CarrierType",
    "ChainEdge",
    "ChainNode",
    "CodeEntry",
    "Demand",
    "DemandStatus",
    "EdgeRelation",
    "EnterpriseNode",
    "Expert",
    "ImportRun",
    "NodeKind",
    "OrgKind",
    "Organization",
    "OrganizationAlias",
    "RecordMixin",
    "Region",
    "RegionLevel",
    "Role",
    "TransferMode",
    "User",
    "Visibility",
]
