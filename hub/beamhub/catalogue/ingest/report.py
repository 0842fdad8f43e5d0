"""What an ingestion run did, file by file, and its summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

from ..store import UpsertSummary

FileStatus = Literal["inserted", "updated", "unchanged", "skipped", "failed"]
STATUSES: tuple[str, ...] = ("inserted", "updated", "unchanged", "skipped", "failed")


@dataclass
class FileReport:
    """One file: ``inserted`` (its datasets are new), ``updated`` (the file changed,
    or ``force``), ``unchanged`` (same size and time as catalogued: not re-read),
    ``skipped`` (not looked at, see ``message``) or ``failed`` (nothing written)."""

    path: str
    status: FileStatus
    pids: list[str] = field(default_factory=list)
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    datasets: UpsertSummary = field(default_factory=UpsertSummary)
    """What the store did with the datasets written (new, changed, identical)."""
    proposals: UpsertSummary | None = None
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        found = Counter(f.status for f in self.files)
        return {status: found.get(status, 0) for status in STATUSES}

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def with_warnings(self) -> list[FileReport]:
        return [f for f in self.files if f.warnings]

    @property
    def ok(self) -> bool:
        return not self.failed

    def files_per_second(self) -> float:
        looked_at = sum(1 for f in self.files if f.status != "skipped")
        return looked_at / self.seconds if self.seconds > 0 else 0.0

    def summary(self, verbose: bool = False) -> str:
        """The text printed at the end of ``beamhub ingest``: totals, then every
        failure and warning (and, if ``verbose``, every skipped file)."""
        counts = self.counts()
        looked_at = len(self.files) - counts["skipped"]
        lines = [
            f"{looked_at} file(s) read in {self.seconds:.1f} s ({self.files_per_second():.1f} files/s): "
            + ", ".join(f"{counts[s]} {s}" for s in STATUSES),
            f"datasets: {self.datasets.inserted} inserted, {self.datasets.updated} updated, "
            f"{self.datasets.unchanged} unchanged",
        ]
        if self.proposals is not None:
            lines.append(f"proposals: {self.proposals.inserted} inserted, {self.proposals.updated} updated, "
                         f"{self.proposals.unchanged} unchanged")
        for report in self.files:
            if report.status == "failed":
                lines.append(f"FAILED   {report.path}: {report.message}")
            if report.status == "skipped" and verbose:
                lines.append(f"skipped  {report.path}: {report.message}")
            for warning in report.warnings:
                lines.append(f"warning  {report.path}: {warning}")
        if counts["skipped"] and not verbose:
            lines.append(f"({counts['skipped']} file(s) skipped; --verbose lists them)")
        if counts["unchanged"]:
            lines.append("(unchanged files were not re-read; after changing the mapping, use --force)")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "files": [asdict(f) for f in self.files],
            "counts": self.counts(),
            "datasets": asdict(self.datasets),
            "proposals": asdict(self.proposals) if self.proposals is not None else None,
            "seconds": round(self.seconds, 3),
        }
