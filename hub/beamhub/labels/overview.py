"""What a beamline's staff see of it (``GET /beamlines/{beamline}/overview``): its voted
datasets with every vote (who, value, comment, when), the selections that hold its
datasets with their jobs' status, and how often its templates were opened.

Staff of the beamline and operators only. The votes and the datasets are read as an
identity that is staff of that one beamline and nothing else (the store then reads only
its datasets' votes and builds only its datasets, whatever the caller's other access);
selections are listed with the service's operator identity and cut down to those
holding the beamline's datasets. Work grows with the beamline's votes and with the
selections (bounded per user), not with the catalogue.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from beamhub.catalogue.errors import PermissionDenied
from beamhub.catalogue.identity import Identity

BATCH = 500


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StaffVote(_Model):
    user: str
    value: str
    comment: str
    updatedAt: datetime


class VotedDataset(_Model):
    pid: str
    datasetName: str
    proposalId: str | None
    technique: str
    likes: int
    dislikes: int
    votes: list[StaffVote]


class BeamlineSelection(_Model):
    id: str
    name: str
    owner: str
    status: str
    processing: str
    datasets: int
    on_beamline: int
    jobId: str | None
    createdAt: datetime
    finishedAt: datetime | None


class BeamlineOverview(_Model):
    beamline: str
    datasets: list[VotedDataset]
    selections: list[BeamlineSelection]
    template_opens: dict[str, int]


def _on_beamline(store, reader: Identity, pids: list[str], beamline: str) -> dict:
    """The datasets among ``pids`` recorded at ``beamline`` (read in batches, each once)."""
    found = {}
    for start in range(0, len(pids), BATCH):
        for d in store.get_datasets(reader, pids[start:start + BATCH]):
            if d.creationLocation == beamline:
                found[d.pid] = d
    return found


def overview(store, identity: Identity, operator: Identity, beamline: str) -> BeamlineOverview:
    if not identity.keeps(beamline):
        raise PermissionDenied(f"only staff of {beamline} see its overview")
    scoped = Identity(identity.user, staff_of=frozenset({beamline}))
    by_pid: dict[str, list] = {}
    for v in store.export_votes(scoped):
        by_pid.setdefault(v.pid, []).append(v)
    datasets = _on_beamline(store, scoped, list(by_pid), beamline)
    voted = []
    for pid, d in datasets.items():
        own = sorted(by_pid[pid], key=lambda v: v.updatedAt)
        voted.append(VotedDataset(pid=pid, datasetName=d.datasetName, proposalId=d.proposalId,
                                  technique=";".join(t.name for t in d.techniques), likes=d.likes,
                                  dislikes=d.dislikes,
                                  votes=[StaffVote(user=v.user, value=v.value, comment=v.comment,
                                                   updatedAt=v.updatedAt) for v in own]))
    listed = [s for s in store.list_selections(operator) if s.datasets]
    here = _on_beamline(store, scoped, list(dict.fromkeys(p for s in listed for p in s.datasets)), beamline)
    selections = []
    for s in listed:
        on_beamline = len(set(s.datasets) & here.keys())
        if on_beamline:
            selections.append(BeamlineSelection(id=s.id, name=s.name, owner=s.owner, status=s.status,
                                                processing=s.processing, datasets=len(s.datasets),
                                                on_beamline=on_beamline, jobId=s.jobId, createdAt=s.createdAt,
                                                finishedAt=s.finishedAt))
    return BeamlineOverview(beamline=beamline, datasets=sorted(voted, key=lambda v: v.pid),
                            selections=selections, template_opens=store.template_opens(identity, beamline))
