"""The store interface: one contract, two backends (SQLite and MongoDB).

Every method takes the caller's :class:`~beamhub.catalogue.identity.Identity` first and
acts only within what that identity may see or do; there is no unscoped read for a
request handler to call by mistake. Writes to datasets and proposals (ingestion,
registering derived data) need an operator identity.

Contract (checked by ``tests/catalogue/test_store_contract.py`` against both backends):

- A dataset invisible to the caller behaves exactly like a missing one (``NotFound``).
- Votes: one per (dataset, user); ``likes``/``dislikes`` on the dataset always equal
  the number of votes, also under concurrent voters (threads or processes).
- Upserting a dataset keeps its vote counts; re-ingesting is idempotent.
- Selections: only datasets the owner may see can be added; editing only in
  ``draft``; status changes follow :data:`~beamhub.catalogue.model.SELECTION_TRANSITIONS`.
- A method that raises has written nothing. ``StoreUnavailable`` means the database
  could not be reached.
- Stores are safe to share between threads.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput
from .identity import Identity
from .model import Dataset, Proposal, Selection, Vote, VoteState
from .query import SearchQuery, SearchResult

if TYPE_CHECKING:  # beamhub.templates imports the catalogue; the store only names its models
    from beamhub.templates.model import TemplateDraft, TemplateVersion



@dataclass(frozen=True)
class UpsertSummary:
    """What an upsert did: new documents, changed ones, identical ones."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "UpsertSummary") -> "UpsertSummary":
        return UpsertSummary(self.inserted + other.inserted, self.updated + other.updated,
                             self.unchanged + other.unchanged)


@dataclass(frozen=True)
class SelectionChanges:
    """An edit of a draft selection; ``None`` leaves a field as it is."""

    name: str | None = None
    add: Sequence[str] = ()
    remove: Sequence[str] = ()
    processing: str | None = None
    parameters: dict[str, Any] | None = None
    expected_version: int | None = None
    """If given, the edit fails with ``Conflict`` unless the selection is at this version."""


@dataclass(frozen=True)
class StatusChange:
    """A selection status change with what the job runner knows at that point."""

    status: str
    job_id: str | None = None
    log_path: str | None = None
    message: str | None = None
    derived_datasets: Sequence[str] = ()


class Store(abc.ABC):
    """A catalogue store. Open one with :func:`open_store`."""

    url: str

    # -- lifecycle --------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Return if the database answers; raise ``StoreUnavailable`` otherwise."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- datasets and proposals: writes (operator only) -------------------------
    def check_ingest(self, identity: Identity) -> None:
        """Raise if ``beamhub ingest`` may not write here, before it reads a file: a
        MongoDB store that is SciCat's own database refuses (``PermissionDenied``)."""

    @abc.abstractmethod
    def upsert_datasets(self, identity: Identity, datasets: Iterable[Dataset | dict]) -> UpsertSummary:
        """Insert or replace datasets by pid, keeping their vote counts and ``createdAt``.

        Dicts are validated like API input (``InvalidInput``). Each batch is validated
        whole before any of it is written. Batches internally; suitable for a million
        datasets. Operator only.
        """

    @abc.abstractmethod
    def delete_datasets(self, identity: Identity, pids: Iterable[str]) -> int:
        """Delete datasets with their votes; return how many existed. Operator only."""

    @abc.abstractmethod
    def upsert_proposals(self, identity: Identity, proposals: Iterable[Proposal | dict]) -> UpsertSummary:
        """Insert or replace proposals by ``proposalId``. Operator only."""

    # -- datasets and proposals: reads ------------------------------------------
    @abc.abstractmethod
    def search(self, identity: Identity, query: SearchQuery) -> SearchResult:
        """One page of the datasets matching ``query`` that ``identity`` may see.

        Items carry ``myVote`` for the caller. Facet counts, when asked for, cover
        exactly the datasets the caller may see.
        """

    @abc.abstractmethod
    def get_dataset(self, identity: Identity, pid: str) -> Dataset:
        """One dataset with ``myVote``; ``NotFound`` if missing or not visible."""

    @abc.abstractmethod
    def get_datasets(self, identity: Identity, pids: Sequence[str]) -> list[Dataset]:
        """The visible datasets among ``pids``, in the order asked; others left out."""

    @abc.abstractmethod
    def derived_from(self, identity: Identity, pid: str) -> list[Dataset]:
        """Visible datasets whose ``inputDatasets`` contain ``pid`` (lineage downwards)."""

    @abc.abstractmethod
    def list_proposals(self, identity: Identity) -> list[Proposal]:
        """Proposals the identity is a member of (owner or access group), plus, for
        staff, those of their beamlines; all for operators. Ordered by proposalId."""

    @abc.abstractmethod
    def get_proposal(self, identity: Identity, proposal_id: str) -> Proposal:
        """One proposal as :meth:`list_proposals` would show it; ``NotFound`` otherwise."""

    @abc.abstractmethod
    def stats(self, identity: Identity) -> dict[str, Any]:
        """Counts over what the identity may see: ``datasets``, ``proposals``, ``votes``,
        ``selections`` (its own; all for operators), ``size`` (bytes), and
        ``by_beamline`` ({beamline: datasets})."""

    # -- votes --------------------------------------------------------------------
    @abc.abstractmethod
    def set_vote(self, identity: Identity, pid: str, value: str | None, comment: str = "") -> VoteState:
        """Set the caller's vote on a visible dataset to ``"like"``, ``"dislike"`` or
        ``None`` (clear). Idempotent; returns the dataset's counts afterwards."""

    @abc.abstractmethod
    def my_votes(self, identity: Identity, limit: int = 1000) -> list[Vote]:
        """The caller's votes on datasets it may still see, newest first."""

    @abc.abstractmethod
    def votes_for_dataset(self, identity: Identity, pid: str) -> list[Vote]:
        """Every vote on a dataset: for staff of its beamline and operators only
        (``PermissionDenied`` for others who can see it, ``NotFound`` if invisible)."""

    # -- selections (the fog filter) ------------------------------------------
    @abc.abstractmethod
    def create_selection(self, identity: Identity, name: str, datasets: Sequence[str] = (),
                         processing: str = "", parameters: dict[str, Any] | None = None,
                         selection_id: str | None = None) -> Selection:
        """A new draft owned by the caller; every pid must be visible to the caller
        (``InvalidInput`` naming the others). ``selection_id``: the id to give it (the
        service derives one from a request's Idempotency-Key); if the caller already has
        a selection with that id, that one is returned and nothing is written, so a
        creation repeated after a crash makes one selection."""

    @abc.abstractmethod
    def get_selection(self, identity: Identity, selection_id: str) -> Selection:
        """The caller's selection (any, for operators); ``NotFound`` otherwise."""

    @abc.abstractmethod
    def list_selections(self, identity: Identity) -> list[Selection]:
        """The caller's selections, newest first (all, for operators)."""

    @abc.abstractmethod
    def update_selection(self, identity: Identity, selection_id: str, changes: SelectionChanges) -> Selection:
        """Edit a draft: rename, add/remove pids (added ones must be visible), set
        processing and parameters. ``Conflict`` if not a draft or the version differs."""

    @abc.abstractmethod
    def delete_selection(self, identity: Identity, selection_id: str) -> None:
        """Delete the caller's selection unless it is submitted or running (``Conflict``)."""

    @abc.abstractmethod
    def change_selection_status(self, identity: Identity, selection_id: str, change: StatusChange) -> Selection:
        """Move a selection to ``change.status`` (``IllegalTransition`` if not allowed),
        recording job id, log path, message and derived datasets given. Sets
        ``submittedAt`` on submission and ``finishedAt`` on done/failed. The owner or
        an operator."""

    # -- beamline templates (beamhub.templates; stores/*/templates.py) ------------
    @abc.abstractmethod
    def publish_template(self, identity: Identity, draft: "TemplateDraft") -> "TemplateVersion":
        """Append the next version of ``draft.beamline``/``draft.name`` (1 for a new one;
        numbers never repeat, also under concurrent publishers), recording the caller and
        the time, outputs cleared. Staff of that beamline or operators
        (``PermissionDenied``)."""

    @abc.abstractmethod
    def list_templates(self, identity: Identity, include_retired: bool = False) -> list["TemplateVersion"]:
        """The newest version of each template of the beamlines offered to the identity
        (its proposals' and those it is staff of; all for operators), without notebooks,
        by beamline and name. Retired ones only if asked, and only for their staff."""

    @abc.abstractmethod
    def template_history(self, identity: Identity, beamline: str, name: str) -> list["TemplateVersion"]:
        """Every version, newest first, without notebooks: staff of the beamline and
        operators (``PermissionDenied``); ``NotFound`` if there is no such template."""

    @abc.abstractmethod
    def get_template(self, identity: Identity, beamline: str, name: str,
                     version: int | None = None) -> "TemplateVersion":
        """One version with its notebook: the latest (``NotFound`` for users once it is
        retired, or when the beamline is not offered to them), or a given one (staff)."""

    @abc.abstractmethod
    def record_template_open(self, identity: Identity, beamline: str, name: str) -> None:
        """Count that the caller opened a template offered to it."""

    @abc.abstractmethod
    def template_opens(self, identity: Identity, beamline: str) -> dict[str, int]:
        """How often each of a beamline's templates was opened: its staff and operators."""

    # -- labels (beamhub.labels; stores/*/labels.py) ---------------------------------
    @abc.abstractmethod
    def export_votes(self, identity: Identity, limit: int = 1_000_000) -> list[Vote]:
        """The votes the identity may export as training labels, oldest first: every
        vote for operators; for staff, the votes on their beamlines' datasets and their
        own; for others, their own; always only on datasets the identity may see.
        ``LimitExceeded`` when there are more than ``limit``."""
