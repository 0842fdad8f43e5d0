"""The catalogue from a notebook: search, look, vote, select, process.

Everything goes through the catalogue service with *your* hub token, so you see and
change exactly what you may in the JupyterLab panel, no more.

>>> from beamhub.client import Catalogue
>>> cat = Catalogue()                                   # doctest: +SKIP
>>> page = cat.search("lysozyme", beamline="i03", condition="temperature < 200 K")  # doctest: +SKIP
>>> page.total, [d.datasetName for d in page.items]     # doctest: +SKIP
>>> data = cat.open(page.items[0])                       # doctest: +SKIP  (an xarray.DataArray, lazy;
...                                                      #  a derived dataset's output files: OutputFiles)
>>> data[0].plot()                                       # doctest: +SKIP  (reads one frame)
>>> cat.like(page.items[0], comment="sharp spots")       # doctest: +SKIP
>>> sel = cat.create_selection("good sweeps", [d.pid for d in page.items],
...                            processing="frame-score", parameters={"sigma": 4})  # doctest: +SKIP
>>> cat.submit(sel)                                      # doctest: +SKIP
>>> cat.wait(sel).derivedDatasets                        # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import requests

from beamhub.catalogue.model import Dataset, Proposal, Selection, Vote, VoteState
from beamhub.catalogue.query import FacetCount, ProposalMatch, SearchHint, SearchResult

from .errors import ApiError, Unavailable, error_from_response

URL_ENV = "BEAMHUB_CATALOGUE_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
SERVICE_PATH = "services/catalogue/api/v1"
RETRY_STATUSES = {502, 503, 504}


def catalogue_url_from_env(environ: dict | None = None) -> str:
    """``$BEAMHUB_CATALOGUE_URL``, else the hub's URL (``$JUPYTERHUB_API_URL`` with
    ``hub/api`` replaced by ``services/catalogue/api/v1``)."""
    environ = os.environ if environ is None else environ
    if environ.get(URL_ENV):
        return environ[URL_ENV].rstrip("/")
    api = environ.get("JUPYTERHUB_API_URL", "").rstrip("/")
    if api.endswith("/hub/api"):
        return api[: -len("hub/api")] + SERVICE_PATH
    raise ApiError(f"cannot tell where the catalogue is: set ${URL_ENV} (e.g. "
                   f"https://beamhub.example.org/{SERVICE_PATH})", code="not_configured")


def _pid(item: Dataset | str) -> str:
    return item.pid if isinstance(item, Dataset) else item


def _selection_id(item: Selection | str) -> str:
    return item.id if isinstance(item, Selection) else item


class Catalogue:
    """A connection to the catalogue service.

    ``url`` and ``token`` default to the environment of a single-user server
    (``$BEAMHUB_CATALOGUE_URL`` and ``$JUPYTERHUB_API_TOKEN``). Safe requests, and
    writes that are idempotent (votes, creating a selection with its idempotency key),
    are retried ``retries`` times when the service is briefly unavailable.
    """

    def __init__(self, url: str | None = None, token: str | None = None, *, timeout: float = 30,
                 retries: int = 3, session: requests.Session | None = None):
        self.url = (url or catalogue_url_from_env()).rstrip("/")
        token = token or os.environ.get(TOKEN_ENV)
        if not token:
            raise ApiError(f"no token: set ${TOKEN_ENV} or pass token=", code="not_configured")
        self.timeout = timeout
        self.retries = retries
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"token {token}"
        self.session.headers["User-Agent"] = "beamhub-client"

    def __repr__(self) -> str:
        return f"Catalogue({self.url!r})"

    # -- HTTP -----------------------------------------------------------------------
    def _request(self, method: str, path: str, *, retry: bool = True, **kwargs) -> requests.Response:
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            try:
                response = self.session.request(method, self.url + path, timeout=self.timeout, **kwargs)
            except requests.ConnectionError as exc:
                if attempt + 1 < attempts:
                    time.sleep(min(2 ** attempt, 5))
                    continue
                raise Unavailable(f"cannot reach the catalogue at {self.url}: {exc}", code="unreachable") from None
            if response.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                time.sleep(min(float(response.headers.get("Retry-After", 2 ** attempt)), 10))
                continue
            if response.status_code >= 400:
                try:
                    body = response.json()
                except ValueError:
                    body = response.text
                raise error_from_response(response.status_code, body)
            return response
        raise AssertionError("unreachable")

    def _json(self, method: str, path: str, **kwargs) -> Any:
        return self._request(method, path, **kwargs).json()

    # -- datasets -------------------------------------------------------------------
    def search(self, text: str = "", *, beamline: str | Iterable[str] = (), proposal: str | Iterable[str] = (),
               technique: str | Iterable[str] = (), type: str | Iterable[str] = (), year: int | Iterable[int] = (),
               keyword: str | Iterable[str] = (), condition: str | Iterable[str] = (),
               created_after: str | None = None, created_before: str | None = None, my_vote: str | None = None,
               sort: str = "-creationTime", limit: int = 25, cursor: str | None = None,
               facets: bool = True) -> SearchResult:
        """One page of the datasets you may see.

        Filters take one value or several (alternatives); ``condition`` takes
        scientific-metadata conditions such as ``"temperature < 200 K"``. The answer
        has ``items`` (Datasets), ``total``, ``facets`` ({facet: [FacetCount]}) and
        ``next_cursor`` (pass it as ``cursor=`` for the next page). On a first page,
        ``proposals`` lists your proposals whose title holds the words (``proposalId``,
        ``title``: pass one as ``proposal=``), and when nothing matched ``hints`` says
        why: each a ``term`` of the query (a word, a field or a unit) that none of your
        datasets has, a ``message`` and ``suggestions`` (near field names, the field's units).

        >>> cat.search("bsa", technique="SAXS", condition=["concentration >= 5 mg/mL"]).total  # doctest: +SKIP
        2
        >>> [h.message for h in cat.search("energy > 10 keV").hints]  # doctest: +SKIP
        ["No dataset you can see has a field 'energy': did you mean incident_energy?"]
        """
        params: list[tuple[str, Any]] = [("text", text), ("sort", sort), ("limit", limit),
                                          ("facets", "true" if facets else "false")]
        for name, value in (("beamline", beamline), ("proposal", proposal), ("technique", technique),
                            ("type", type), ("year", year), ("keyword", keyword), ("condition", condition)):
            values = [value] if isinstance(value, (str, int)) else list(value)
            params += [(name, v) for v in values]
        for name, value in (("created_after", created_after), ("created_before", created_before),
                            ("my_vote", my_vote), ("cursor", cursor)):
            if value is not None:
                params.append((name, value))
        body = self._json("GET", "/datasets", params=params)
        return SearchResult(
            items=[Dataset.from_document(d) for d in body["items"]], total=body["total"],
            facets={k: [FacetCount(**c) for c in v] for k, v in (body.get("facets") or {}).items()},
            next_cursor=body.get("next_cursor"),
            hints=[SearchHint(**h) for h in body.get("hints") or ()],
            proposals=[ProposalMatch(**p) for p in body.get("proposals") or ()])

    def iter_search(self, text: str = "", *, page_size: int = 100, **filters) -> Iterator[Dataset]:
        """Every matching dataset, fetching pages as needed.

        >>> [d.pid for d in cat.iter_search(beamline="i22")]  # doctest: +SKIP
        """
        cursor = None
        while True:
            page = self.search(text, limit=page_size, cursor=cursor, facets=False, **filters)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def dataset(self, pid: Dataset | str) -> Dataset:
        """One dataset (with ``likes``, ``dislikes`` and ``myVote``).

        >>> cat.dataset("20.500.12269/abc").datasetName  # doctest: +SKIP
        """
        return Dataset.from_document(self._json("GET", f"/datasets/{quote(_pid(pid), safe='')}"))

    def derived(self, pid: Dataset | str) -> list[Dataset]:
        """Datasets derived from this one (the way back is ``dataset.inputDatasets``)."""
        return [Dataset.from_document(d) for d in self._json("GET", f"/datasets/{quote(_pid(pid), safe='')}/derived")]

    def preview(self, pid: Dataset | str, size: str = "thumb") -> bytes:
        """The PNG preview (``size`` ``"thumb"`` or ``"large"``); in a notebook,
        ``IPython.display.Image(cat.preview(pid))`` shows it."""
        return self._request("GET", f"/datasets/{quote(_pid(pid), safe='')}/preview.png",
                             params={"size": size}).content

    def open(self, dataset: Dataset | str, **kwargs):
        """The dataset's signal as a lazy :class:`xarray.DataArray` (NeXus axes as
        coordinates; nothing but the axes is read until you index or compute).

        A derived dataset with several output files (one per input dataset of a
        processing step) gives all of them: :class:`beamhub.client.data.OutputFiles`,
        a dict ``{input pid: DataArray}`` whose repr starts "N of M files loaded"
        (``.attrs["files_loaded"]``, ``["files_total"]``, ``["skipped"]``) and whose
        ``.combined()`` is one DataArray. See :func:`beamhub.client.data.open_dataset`
        for ``path_map``."""
        from .data import open_dataset

        if not isinstance(dataset, Dataset):
            dataset = self.dataset(dataset)
        return open_dataset(dataset, **kwargs)

    # -- votes ----------------------------------------------------------------------
    def vote(self, pid: Dataset | str, value: str, comment: str = "") -> VoteState:
        """Set your vote to ``"like"`` or ``"dislike"`` (setting it again changes nothing)."""
        body = self._json("PUT", f"/datasets/{quote(_pid(pid), safe='')}/vote",
                          json={"value": value, "comment": comment})
        return VoteState.model_validate(body)

    def like(self, pid: Dataset | str, comment: str = "") -> VoteState:
        """>>> cat.like(pid).likes  # doctest: +SKIP"""
        return self.vote(pid, "like", comment)

    def dislike(self, pid: Dataset | str, comment: str = "") -> VoteState:
        return self.vote(pid, "dislike", comment)

    def clear_vote(self, pid: Dataset | str) -> VoteState:
        """Remove your vote (no error if you had none)."""
        return VoteState.model_validate(self._json("DELETE", f"/datasets/{quote(_pid(pid), safe='')}/vote"))

    def my_votes(self) -> list[Vote]:
        return [Vote.from_document(v) for v in self._json("GET", "/me/votes")]

    def votes(self, pid: Dataset | str) -> list[Vote]:
        """Every vote on a dataset: for staff of its beamline (PermissionDenied otherwise)."""
        return [Vote.from_document(v) for v in self._json("GET", f"/datasets/{quote(_pid(pid), safe='')}/votes")]

    def beamline_overview(self, beamline: str) -> dict:
        """For staff of ``beamline`` (PermissionDenied otherwise): its voted datasets with
        every vote (``user``, ``value``, ``comment``, ``updatedAt``), the selections holding
        its datasets with their status, and how often its templates were opened.

        >>> cat.beamline_overview("i22")["datasets"][0]["votes"]  # doctest: +SKIP
        """
        return self._json("GET", f"/beamlines/{quote(beamline, safe='')}/overview")

    # -- me -------------------------------------------------------------------------
    def me(self) -> dict:
        """``{"name", "groups", "staff_of"}`` as the catalogue sees you."""
        return self._json("GET", "/me")

    def my_proposals(self) -> list[Proposal]:
        return [Proposal.from_document(p) for p in self._json("GET", "/me/proposals")]

    # -- selections -----------------------------------------------------------------
    def processing_steps(self) -> list[dict]:
        """The processing steps, each with ``parameters_schema`` (JSON Schema)."""
        return self._json("GET", "/processing")

    def selections(self) -> list[Selection]:
        return [Selection.from_document(s) for s in self._json("GET", "/selections")]

    def selection(self, selection: Selection | str) -> Selection:
        return Selection.from_document(self._json("GET", f"/selections/{_selection_id(selection)}"))

    def create_selection(self, name: str, datasets: Iterable[Dataset | str] = (), *, processing: str = "",
                         parameters: dict | None = None) -> Selection:
        """A new draft selection (retried safely: it carries an idempotency key).

        >>> sel = cat.create_selection("best", ["20.500.12269/abc"], processing="frame-score")  # doctest: +SKIP
        """
        body = {"name": name, "datasets": [_pid(d) for d in datasets], "processing": processing,
                "parameters": parameters or {}}
        return Selection.from_document(self._json(
            "POST", "/selections", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}))

    def update_selection(self, selection: Selection | str, *, name: str | None = None,
                         add: Iterable[Dataset | str] = (), remove: Iterable[Dataset | str] = (),
                         processing: str | None = None, parameters: dict | None = None,
                         expected_version: int | None = None) -> Selection:
        """Edit a draft. Pass ``expected_version=sel.version`` to refuse the edit if
        someone (another tab) changed it meanwhile."""
        body: dict[str, Any] = {"add": [_pid(d) for d in add], "remove": [_pid(d) for d in remove]}
        for key, value in (("name", name), ("processing", processing), ("parameters", parameters),
                           ("expected_version", expected_version)):
            if value is not None:
                body[key] = value
        return Selection.from_document(self._json(
            "PATCH", f"/selections/{_selection_id(selection)}", json=body, retry=expected_version is not None))

    def delete_selection(self, selection: Selection | str) -> None:
        self._request("DELETE", f"/selections/{_selection_id(selection)}")

    def submit(self, selection: Selection | str) -> Selection:
        """Start processing a draft selection; it becomes ``submitted``."""
        return Selection.from_document(self._json(
            "POST", f"/selections/{_selection_id(selection)}/submit", headers={"Idempotency-Key": uuid.uuid4().hex}))

    def wait(self, selection: Selection | str, timeout: float = 3600, poll: float = 2) -> Selection:
        """Poll until the selection is ``done`` or ``failed`` (TimeoutError after ``timeout`` s).

        >>> cat.wait(sel).status  # doctest: +SKIP
        'done'
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.selection(selection)
            if current.status in ("done", "failed", "draft"):
                return current
            if time.monotonic() > deadline:
                raise TimeoutError(f"selection {current.id} is still {current.status} after {timeout:.0f} s")
            time.sleep(poll)
