"""What an import reports: per-row errors (file, row, column, reason), merges and the run summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why a row was rejected; each has an English and a Chinese wording in REASON_TEXT."""

    WRONG_TYPE = "wrong_type"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CODE = "unknown_code"
    BAD_CREDIT_CODE = "bad_credit_code"
    MISSING_REQUIRED = "missing_required"
    WRONG_ENCODING = "wrong_encoding"
    DUPLICATE_KEY = "duplicate_key"
    CONFLICT = "conflict"
    NOISE = "noise"
    SHARED_REGISTRY = "shared_registry"
    NOT_YOUR_ORGANIZATION = "not_your_organization"
    KEY_TAKEN = "key_taken"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"


REASON_TEXT: dict[Reason, tuple[str, str]] = {
    Reason.WRONG_TYPE: ("wrong type", "类型错误"),
    Reason.OUT_OF_RANGE: ("out of range", "超出范围"),
    Reason.UNKNOWN_CODE: ("unknown code", "未知代码"),
    Reason.BAD_CREDIT_CODE: ("bad unified social credit code", "统一社会信用代码无效"),
    Reason.MISSING_REQUIRED: ("missing required field", "缺少必填字段"),
    Reason.WRONG_ENCODING: ("wrong encoding", "文件编码错误"),
    Reason.DUPLICATE_KEY: ("duplicate key in the file", "文件内编号重复"),
    Reason.CONFLICT: ("conflicts with another row", "与其他行冲突"),
    Reason.NOISE: ("unusable value (source defect)", "数据缺陷，无法使用"),
    Reason.SHARED_REGISTRY: (
        "only officers and admins may add organizations, aliases and chain links to the shared registry",
        "仅主管部门和管理员可向共享登记库添加机构、别名和产业链关系",
    ),
    Reason.NOT_YOUR_ORGANIZATION: (
        "you may publish only for the organization your account belongs to",
        "只能以本账号所属机构的名义发布",
    ),
    Reason.KEY_TAKEN: ("this key belongs to another owner's record", "该编号已属于其他用户的记录"),
    Reason.TOO_LARGE: ("file too large", "文件过大"),
    Reason.TOO_MANY_ROWS: ("too many rows in one file", "单个文件行数超过上限"),
}


@dataclass(frozen=True)
class RowError:
    """One rejected row: where it is and why, in English and Chinese."""

    file: str
    row: int
    column: str
    reason: Reason
    detail: str = ""
    detail_zh: str = ""
    """The detail as a Chinese sentence (the English `detail` when the source gave none)."""

    @property
    def message(self) -> str:
        """English message naming file, row, column and reason."""
        text = REASON_TEXT[self.reason][0]
        tail = f": {self.detail}" if self.detail else ""
        return f"{self.file}, row {self.row}, column {self.column}: {text}{tail}"

    @property
    def message_zh(self) -> str:
        """Chinese message naming file, row, column and reason."""
        text = REASON_TEXT[self.reason][1]
        detail = self.detail_zh or self.detail
        tail = f"：{detail}" if detail else ""
        return f"{self.file} 第 {self.row} 行「{self.column}」列：{text}{tail}"

    def as_dict(self) -> dict[str, Any]:
        """JSON form (CLI --json, web)."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "reason": str(self.reason),
            "detail": self.detail,
            "detail_zh": self.detail_zh or self.detail,
            "message": self.message,
            "message_zh": self.message_zh,
        }


@dataclass(frozen=True)
class Merge:
    """An incoming record resolved onto an existing organization instead of creating a new one."""

    source: str
    source_key: str
    name: str
    organization_id: int
    organization_name: str
    rule: str


@dataclass(frozen=True)
class WrittenRecord:
    """A record an import wrote: its kind (achievement, demand, expert, or an organization's kind), id and title."""

    kind: str
    id: int
    title: str


@dataclass
class ImportSummary:
    """Counts, merges and rejections of one import run."""

    source: str
    path: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    merges: list[Merge] = field(default_factory=list)
    rejections: list[RowError] = field(default_factory=list)
    report_path: str = ""
    seconds: float = 0.0
    written: list[WrittenRecord] = field(default_factory=list)
    """The first records written (at most SHOWN_RECORDS), in file order, for the result to link to."""

    def __str__(self) -> str:
        counts = ", ".join(f"{k}={v:,}" for k, v in sorted(self.counts.items()))
        return f"{self.source}: {counts}; merges={len(self.merges):,}, rejections={len(self.rejections):,}"

    def add(self, key: str, amount: int = 1) -> None:
        """Increase a count (e.g. "achievement.inserted")."""
        self.counts[key] += amount

    def reject(self, error: RowError) -> None:
        """Record a rejected row."""
        self.rejections.append(error)

    def as_dict(self, *, max_rejections: int = 50) -> dict[str, Any]:
        """JSON form, with the first rejections in full and the total."""
        return {
            "source": self.source,
            "path": self.path,
            "counts": dict(sorted(self.counts.items())),
            "merges": len(self.merges),
            "rejections": len(self.rejections),
            "rejection_samples": [e.as_dict() for e in self.rejections[:max_rejections]],
            "report": self.report_path,
            "seconds": round(self.seconds, 2),
        }
