"""SciCat documents exactly as SciCat's backend stores them in MongoDB: the fixture set.

Built from SciCat's own schema and test data (SciCatProject/scicat-backend-next, read
at commit 4055c96, 2026-02): ``src/datasets/schemas/dataset.schema.ts`` and the
``OwnableClass``/``QueryableClass`` it extends, ``src/proposals/schemas/proposal.schema.ts``,
``src/samples/schemas/sample.schema.ts``, ``src/datasets/schemas/technique.schema.ts``,
``test/TestData.js`` and ``migrations/``. Our own documents, shaped like theirs:

- **Storage**: collections ``Dataset``, ``Proposal``, ``Sample``; ``_id`` is the pid
  (migration ``20230125083116-migrate-id-field-to-pid``), the ``proposalId``, the
  ``sampleId``. Dates are BSON datetimes (UTC, millisecond precision, as
  ``@Prop({type: Date})`` stores them); ``timestamps: true`` adds ``createdAt`` and
  ``updatedAt``; mongoose adds ``__v``. Fields appear in the order mongoose builds
  them: ``_id`` first, then the inherited ``QueryableClass`` (``createdBy``,
  ``updatedBy``) and ``OwnableClass`` (``ownerGroup``, ``accessGroups``,
  ``instrumentGroup``, ``isPublished``) fields, then ``DatasetClass``'s in declaration
  order, the timestamps and ``__v`` last.
- **v3 and v4 fields**: datasets written through the v3 API before the unified schema
  (migration ``20240920111733-dataset-unified-schema``) carry ``proposalId``,
  ``sampleId``, ``instrumentId``, ``principalInvestigator``, ``investigator``; the v4
  schema carries ``proposalIds``, ``sampleIds``, ``instrumentIds``,
  ``principalInvestigators`` (TestData ``RawCorrect`` vs ``RawCorrectV4``,
  ``DerivedCorrect`` vs ``DerivedCorrectV4``; ``RawCorrectGet`` shows both at once).
  ``proposalIds: [""]`` is TestData's ``RawCorrectV4`` verbatim.
- **type**: ``raw``, ``derived`` and site-defined custom types (``type: "custom"``,
  TestData ``CustomDatasetCorrect``; the schema's ``type`` is any string since
  ``datasetTypes.json``).
- **scientificMetadata** is ``@Prop({type: Object})``: free-form. The forms here:
  ``{value, unit}`` (TestData ``approx_file_size_mb``, with ``unit: ""``); ``{v, u}``
  inside groups (``beamlineParameters: {"Ring current": {v, u}}``,
  ``detectorParameters``, ``scanParameters``); plain scalars beside them
  (``Monostripe: "Ru/C"``, ``Objective: 20``); ``type: "quantity_range"`` with a
  two-number ``value``; ``valueSI``/``unitSI`` as ``appendSIUnitToPhysicalQuantity``
  adds them on write (``src/common/utils.ts`` ``convertToSI``, mathjs units such as
  ``"(kg m^2) / s^2"``; ``RawCorrectGet``); numbers stored as strings (TestData
  ``RawCorrectRandom`` uses ``faker.string.numeric``); and keys URL-encoded with
  ``encodeURIComponent`` plus ``.`` -> ``%2E`` (``encodeURIComponentExtended``, migrations
  ``20250731123900``/``20251117155200``/``20260126111900-encode-dataset-metadatakeys``),
  nested groups included (``beamlineParameters: {"Ring%20current": ...}``).
- **creationLocation** is optional in the unified schema (``@Prop required: false``):
  ``/SU/XQX/RAMJET`` (TestData), values with spaces, none at all (derived datasets).
- **Groups**: any string (TestData ``ownerGroup: faker.company.name()``,
  ``SampleCorrect.accessGroups: ["data scientist", "instrument scientist"]``).
- **inputDatasets** are "ideally" pids: TestData ``DerivedCorrect`` has
  ``["/data/input/file1.dat"]``.
- **Proposals**: ids with ``/`` (TestData ``"10.540.16635/20110123"``),
  ``MeasurementPeriodList``, ``metadata``, ``parentProposalId: null``, ``type``
  (migration ``20241113130700-proposal-type``), ``instrumentIds``
  (``20250814143105``), ``numberOfDatasets`` (``20250924140500``), PI fields.
- **Techniques**: ``{pid, name}``, both required by SciCat's schema; a legacy document
  with ``name: null`` is still found in old databases.
- **sharedWith**: a list of user names (``dataset.schema.ts``).

:data:`DATASETS` are documents SciCat writes or has written (every one is readable);
:data:`BROKEN_DATASETS` are deliberately malformed ones (no ``ownerGroup``, no
``creationTime``, ``scientificMetadata`` not an object...) that a reader must skip and
report, never trip over. :func:`load` inserts them into a pymongo database.

Identities the tests use: group ``p13388`` owns the RAMJET datasets, ``p34123`` the
derived ones, ``p2001``/``p2002`` the v4 multi-proposal ones, ``20170251-group`` the
proposal ``20170266``; a few datasets are published.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

PID_PREFIX = "20.500.12269/"


def _t(text: str) -> datetime:
    """A BSON datetime: UTC, milliseconds."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    value = value.astimezone(timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def pid(n: int) -> str:
    return f"{PID_PREFIX}5c1a{n:04d}-7a73-11ef-ae3e-439013069377"


def _lifecycle() -> dict:
    # LifecycleClass defaults (lifecycle.schema.ts), as SciCat fills them on create.
    return {
        "archivable": True,
        "retrievable": False,
        "publishable": False,
        "archiveRetentionTime": _t("2031-09-14T06:08:25.000Z"),
        "dateOfPublishing": _t("2014-09-14T06:08:25.000Z"),
        "isOnCentralDisk": True,
        "archiveStatusMessage": "datasetCreated",
        "retrieveStatusMessage": "",
        "retrieveIntegrityCheck": False,
    }


def _dataset(n: int, *, v4: bool = True, **fields) -> dict:
    """A dataset document in SciCat's field order.

    ``fields`` use SciCat's names; ``None`` leaves a field out (it was never set).
    The usual defaults mongoose fills are applied unless given.
    """
    created = fields.pop("_created", _t("2024-03-01T10:00:00.000Z"))
    base: dict = {
        "_id": pid(n),
        "createdBy": fields.pop("createdBy", "ingestor"),
        "updatedBy": fields.pop("updatedBy", "ingestor"),
        "ownerGroup": fields.pop("ownerGroup", "p13388"),
        "accessGroups": fields.pop("accessGroups", []),
        "isPublished": fields.pop("isPublished", False),
        "pid": pid(n),
        "owner": fields.pop("owner", "Bertram Astor"),
        "ownerEmail": fields.pop("ownerEmail", "scicatingestor@your.site"),
        "contactEmail": fields.pop("contactEmail", "scicatingestor@your.site"),
        "sourceFolder": fields.pop("sourceFolder", f"/data/scicat/{n:04d}"),
        "sourceFolderHost": fields.pop("sourceFolderHost", "nfs://file.your.site"),
        "size": fields.pop("size", 0),
        "packedSize": fields.pop("packedSize", 0),
        "numberOfFiles": fields.pop("numberOfFiles", 0),
        "numberOfFilesArchived": fields.pop("numberOfFilesArchived", 0),
        "creationTime": fields.pop("creationTime", created),
        "type": fields.pop("type", "raw"),
        "keywords": fields.pop("keywords", []),
        "description": fields.pop("description", None),
        "datasetName": fields.pop("datasetName", f"SciCat dataset {n}"),
        "classification": fields.pop("classification", "IN=medium,AV=low,CO=low"),
        "license": fields.pop("license", "CC BY-SA 4.0"),
        "version": fields.pop("version", "4.0.0" if v4 else "3"),
        "datasetlifecycle": fields.pop("datasetlifecycle", _lifecycle()),
        "techniques": fields.pop("techniques", []),
        "relationships": fields.pop("relationships", []),
        "sharedWith": fields.pop("sharedWith", []),
        "scientificMetadata": fields.pop("scientificMetadata", {}),
    }
    if v4:
        base["principalInvestigators"] = fields.pop("principalInvestigators", ["pi@your.site"])
    else:
        base["principalInvestigator"] = fields.pop("principalInvestigator", "pi@your.site")
    for name in ("startTime", "endTime", "creationLocation", "dataFormat", "runNumber"):
        base[name] = fields.pop(name, None)
    if v4:
        for name in ("proposalIds", "sampleIds", "instrumentIds"):
            base[name] = fields.pop(name, None)
    else:
        for name in ("proposalId", "sampleId", "instrumentId"):
            base[name] = fields.pop(name, None)
    for name in ("investigator", "inputDatasets", "usedSoftware", "jobParameters", "jobLogData"):
        base[name] = fields.pop(name, None)
    base.update(fields)  # anything else a site or an old version added
    base["createdAt"] = created
    base["updatedAt"] = fields.get("updatedAt", created)
    base["__v"] = 0
    return {k: v for k, v in base.items() if v is not None}


# The scientificMetadata of TestData's RawCorrect, as sent (before SciCat adds SI values).
RAMJET_METADATA = {
    "File_Prefix": "817b_B2_",
    "approx_file_size_mb": {"value": 8500, "unit": ""},
    "approx_distance_range": {"value": [1, 2], "unit": "cm", "type": "quantity_range"},
    "beamlineParameters": {
        "Monostripe": "Ru/C",
        "Ring current": {"v": 0.402246, "u": "A"},
        "Beam energy": {"v": 22595, "u": "eV"},
    },
    "detectorParameters": {
        "Objective": 20,
        "Scintillator": "LAG 20um",
        "Exposure time": {"v": 0.4, "u": "s"},
    },
    "scanParameters": {
        "Number of projections": 1801,
        "Rot Y min position": {"v": 0, "u": "deg"},
        "Inner scan flag": 0,
        "File Prefix": "817b_B2_",
        "Sample In": {"v": 0, "u": "m"},
        "Sample folder": "/ramjet/817b_B2_",
        "Number of darks": 10,
        "Rot Y max position": {"v": 180, "u": "deg"},
        "Angular step": {"v": 0.1, "u": "deg"},
        "Number of flats": 120,
        "Sample Out": {"v": -0.005, "u": "m"},
        "Flat frequency": 0,
        "Number of inter-flats": 0,
    },
}

# The same after SciCat's write path: SI values appended (TestData RawCorrectGet) and
# keys encoded (encodeScientificMetadataKeys: "Ring current" -> "Ring%20current").
RAMJET_METADATA_STORED = {
    "File_Prefix": "817b_B2_",
    "approx_file_size_mb": {"value": 8500, "unit": ""},
    "approx_distance_range": {"value": [1, 2], "unit": "cm", "type": "quantity_range",
                              "valueSI": [0.01, 0.02], "unitSI": "m"},
    "beamlineParameters": {
        "Monostripe": "Ru/C",
        "Ring%20current": {"v": 0.402246, "u": "A", "valueSI": 0.402246, "unitSI": "A"},
        "Beam%20energy": {"v": 22595, "u": "eV", "valueSI": 3.6201179486175005e-15,
                          "unitSI": "(kg m^2) / s^2"},
    },
    "detectorParameters": {
        "Objective": 20,
        "Scintillator": "LAG 20um",
        "Exposure%20time": {"v": 0.4, "u": "s", "valueSI": 0.4, "unitSI": "s"},
    },
    "scanParameters": {
        "Number%20of%20projections": 1801,
        "Rot%20Y%20min%20position": {"v": 0, "u": "deg", "valueSI": 0, "unitSI": "rad"},
        "Angular%20step": {"v": 0.1, "u": "deg", "valueSI": 0.0017453292519943296, "unitSI": "rad"},
        "Rot%20Y%20max%20position": {"v": 180, "u": "deg", "valueSI": 3.141592653589793, "unitSI": "rad"},
        "Sample%20Out": {"v": -0.005, "u": "m", "valueSI": -0.005, "unitSI": "m"},
        "Sample%20folder": "/ramjet/817b_B2_",
    },
}

RAMJET = "/SU/XQX/RAMJET"
X06SA = "/PSI/SLS/X06SA"
SPACED = "Swiss Light Source X06DA"
PROPOSAL_WITH_SLASH = "10.540.16635/20110123"
INSTRUMENT = "1f016ec4-7a73-11ef-ae3e-439013069377"
SAMPLE = "20c32b4e-7a73-11ef-9aec-5b9688aa3791i"


def _technique(name, number: int = 1) -> dict:
    return {"pid": f"http://purl.org/pan-science/PaNET/PaNET{number:05d}", "name": name}


DATASETS: list[dict] = [
    # 1: TestData RawCorrect through the v3 API: RAMJET, {v,u} groups, quantity_range,
    # plain scalars, proposalId/sampleId/instrumentId.
    _dataset(1, v4=False, datasetName="Test raw dataset", description="None, The ultimate test",
             creationLocation=RAMJET, dataFormat="Upchuck pre 2017", runNumber="123456",
             startTime=_t("2011-09-14T05:29:11.000Z"), endTime=_t("2011-09-14T06:31:25.000Z"),
             creationTime=_t("2011-09-14T06:08:25.000Z"), keywords=["sls", "protein"],
             proposalId="20170266", sampleId=SAMPLE, instrumentId=INSTRUMENT,
             scientificMetadata=copy.deepcopy(RAMJET_METADATA), classification="AV=medium,CO=low"),
    # 2: TestData RawCorrectGet: v4 arrays, SI values appended, keys encoded.
    _dataset(2, datasetName="Test raw dataset v4", description="RAMJET tomography with SI values",
             creationLocation=RAMJET, dataFormat="Upchuck pre 2017", runNumber="123457",
             creationTime=_t("2012-09-14T06:08:25.000Z"), keywords=["sls", "tomography"],
             proposalIds=["20170266"], sampleIds=[SAMPLE], instrumentIds=[INSTRUMENT],
             scientificMetadata=copy.deepcopy(RAMJET_METADATA_STORED)),
    # 3: TestData RawCorrectV4 verbatim: proposalIds [""], private.
    _dataset(3, datasetName="Test raw dataset", description="None, The ultimate test",
             creationLocation=RAMJET, proposalIds=[""], instrumentIds=[INSTRUMENT], sampleIds=[SAMPLE],
             creationTime=_t("2011-09-14T06:08:25.000Z"), keywords=["sls", "protein"],
             scientificMetadata={"approx_file_size_mb": {"value": 8500, "unit": ""}}),
    # 4: v4, two proposals, two samples, two instruments.
    _dataset(4, datasetName="Shared beamtime scan", description="Measured for two proposals",
             ownerGroup="p2001", accessGroups=["p2002"], creationLocation=X06SA,
             proposalIds=["p2001", "p2002"], sampleIds=["sample-a", "sample-b"],
             instrumentIds=["instr-x06sa", "instr-pilatus"],
             techniques=[_technique("macromolecular crystallography", 10)],
             creationTime=_t("2024-05-02T08:00:00.000Z"),
             scientificMetadata={"temperature": {"value": 100, "unit": "K"}}),
    # 5: temperature as {value, unit} in degC.
    _dataset(5, datasetName="Lysozyme warm", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-03T08:00:00.000Z"),
             scientificMetadata={"temperature": {"value": -173.15, "unit": "degC"}}),
    # 6: temperature as {v, u}: 150 K.
    _dataset(6, datasetName="Lysozyme v-u", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-04T08:00:00.000Z"),
             scientificMetadata={"temperature": {"v": 150, "u": "K"}}),
    # 7: a number stored as a string, in {value, unit} and as a plain scalar.
    _dataset(7, datasetName="Numbers as strings", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-05T08:00:00.000Z"),
             scientificMetadata={"temperature": {"value": "200", "unit": "K"},
                                 "exposure": "0.25", "frames": "3600",
                                 "approx_file_size_mb": {"value": "8500", "unit": ""}}),
    # 8: an encoded dotted key: "sample.temperature" stored as "sample%2Etemperature".
    _dataset(8, datasetName="Encoded dotted key", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-06T08:00:00.000Z"),
             scientificMetadata={"sample%2Etemperature": {"value": 250, "unit": "K"},
                                 "Ring%20current": {"value": 400.5, "unit": "mA"}}),
    # 9: the nested form of the same: sample: {temperature: {v, u, valueSI, unitSI}}.
    _dataset(9, datasetName="Nested sample group", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-07T08:00:00.000Z"),
             scientificMetadata={"sample": {"temperature": {"v": 270, "u": "K", "valueSI": 270, "unitSI": "K"},
                                            "state": "frozen", "name": "lysozyme"}}),
    # 10: a quantity_range with SI values: 90..110 K.
    _dataset(10, datasetName="Temperature ramp", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-08T08:00:00.000Z"),
             scientificMetadata={"temperature": {"value": [90, 110], "unit": "K", "type": "quantity_range",
                                                 "valueSI": [90, 110], "unitSI": "K"}}),
    # 11: a unit pint does not know, with SciCat's SI value beside it.
    _dataset(11, datasetName="Wavelength in Ang", ownerGroup="p2001", creationLocation=X06SA,
             proposalIds=["p2001"], creationTime=_t("2024-05-09T08:00:00.000Z"),
             scientificMetadata={"wavelength": {"value": 1.5, "unit": "Ang", "valueSI": 1.5e-10, "unitSI": "m"}}),
    # 12: creationLocation with spaces, published.
    _dataset(12, datasetName="Published from a spaced beamline", ownerGroup="p9999", isPublished=True,
             creationLocation=SPACED, proposalIds=["p9999"], creationTime=_t("2023-01-10T12:00:00.000Z"),
             keywords=["open data"], scientificMetadata={"energy": {"value": 12.4, "unit": "keV"}}),
    # 13: TestData DerivedCorrect (v3): no creationLocation, inputDatasets not pids.
    _dataset(13, v4=False, datasetName="Test derived dataset", description="Some fancy description",
             ownerGroup="p34123", type="derived", principalInvestigator=None,
             investigator="egon.meier@web.de", owner="Egon Meier", ownerEmail="egon.meier@web.de",
             contactEmail="egon.meier@web.de", sourceFolder="/data/example/2017",
             creationTime=_t("2017-01-31T09:20:19.562Z"), keywords=["Test", "Derived", "Science", "Math"],
             proposalId=PROPOSAL_WITH_SLASH, runNumber="654321", inputDatasets=["/data/input/file1.dat"],
             usedSoftware=["https://gitlab.psi.ch/ANALYSIS/csaxs/commit/7d5888bfffc440bb613bc7fa50adc0097853446c"],
             jobParameters={"nscans": 11}, jobLogData="Output of log file..."),
    # 14: TestData DerivedCorrectV4: proposalIds with '/', inputs a pid and a path.
    _dataset(14, datasetName="Test derived dataset v4", description="Some fancy description",
             ownerGroup="p34123", type="derived", principalInvestigators=["egon.meier@web.de"],
             owner="Egon Meier", creationTime=_t("2017-02-01T09:20:19.562Z"),
             keywords=["Test", "Derived"], proposalIds=[PROPOSAL_WITH_SLASH], runNumber="654322",
             inputDatasets=[pid(1), "/data/input/file1.dat"],
             usedSoftware=["https://github.com/example/reduce@v1.2"], jobParameters={"nscans": 12}),
    # 15: TestData CustomDatasetCorrect: type custom.
    _dataset(15, datasetName="Test custom dataset", description="Some fancy description",
             ownerGroup="p34123", type="custom", principalInvestigators=["egon.meier@web.de"],
             creationTime=_t("2017-01-31T09:20:19.562Z"), proposalIds=[PROPOSAL_WITH_SLASH],
             runNumber="654321", instrumentIds=[INSTRUMENT], sampleIds=[SAMPLE],
             inputDatasets=["/data/input/file1.dat"], jobParameters={"nscans": 10}),
    # 16: odd group names (TestData uses faker.company.name() and "data scientist").
    _dataset(16, datasetName="Odd groups", ownerGroup="Smith, Jones and Sons",
             accessGroups=["data scientist", "p13388"], creationLocation=RAMJET,
             creationTime=_t("2022-06-01T00:00:00.000Z"), proposalIds=["20170266"]),
    # 17: a technique with name null beside a normal one (legacy).
    _dataset(17, datasetName="Legacy technique", creationLocation=RAMJET,
             techniques=[{"pid": "legacy-1", "name": None}, _technique("tomography", 2)],
             creationTime=_t("2021-06-01T00:00:00.000Z"), proposalIds=["20170266"]),
    # 18: TestData RawCorrectMin (v3): only what SciCat requires; no datasetName stored.
    _dataset(18, v4=False, datasetName=None, description=None, keywords=None, ownerEmail=None,
             sourceFolderHost=None, classification=None, license=None, creationLocation="Lake Dorothy",
             owner="sbergnaum", contactEmail="someone@example.org", sourceFolder="/usr/local/bin",
             creationTime=_t("2025-02-11T21:48:03.120Z")),
    # 19: a legacy minimal document: no size, isPublished, accessGroups, lifecycle, metadata.
    {"_id": pid(19), "pid": pid(19), "owner": "legacy", "contactEmail": "legacy@your.site",
     "sourceFolder": "/legacy/19", "creationTime": _t("2015-05-05T05:05:05.000Z"), "type": "raw",
     "ownerGroup": "p13388", "creationLocation": RAMJET, "datasetName": "Legacy minimal"},
    # 20: deep nesting, booleans, lists of strings, nulls, an empty group.
    _dataset(20, datasetName="Deeply nested", creationLocation=RAMJET, proposalIds=["20170266"],
             creationTime=_t("2020-01-01T00:00:00.000Z"),
             scientificMetadata={
                 "instrument": {"detector": {"distance": {"v": 250, "u": "mm"}, "model": "Eiger 16M",
                                             "binning": [2, 2], "cooled": True},
                                "optics": {}},
                 "comment": None,
                 "tags": ["calibration", "good"],
                 "is_good": False,
             }),
    # 21: published, the only RAMJET dataset everyone sees.
    _dataset(21, datasetName="Published RAMJET scan", creationLocation=RAMJET, isPublished=True,
             proposalIds=["20170266"], creationTime=_t("2019-03-03T00:00:00.000Z"),
             scientificMetadata={"beamlineParameters": {"Ring%20current": {"v": 0.39, "u": "A"}}}),
    # 22: sharedWith a user (SciCat's per-user sharing).
    _dataset(22, datasetName="Shared with a user", creationLocation=RAMJET, sharedWith=["alice"],
             proposalIds=["20170266"], creationTime=_t("2019-04-04T00:00:00.000Z")),
    # 23: a raw dataset at a beamline named like a path with a trailing word.
    _dataset(23, datasetName="Path-like beamline", ownerGroup="p2002", creationLocation="/ESS/LoKI",
             proposalIds=["p2002"], creationTime=_t("2024-07-01T00:00:00.000Z"),
             scientificMetadata={"sample_state": "frozen", "temperature": {"value": 4.2, "unit": "K"}}),
    # 24: a dataset with v3 and v4 fields both (as RawCorrectGet returns them).
    _dataset(24, datasetName="Both proposal forms", ownerGroup="p2002", creationLocation="/ESS/LoKI",
             proposalIds=["p2002"], proposalId="p2002", sampleIds=[SAMPLE], sampleId=SAMPLE,
             creationTime=_t("2024-07-02T00:00:00.000Z")),
    # 25: units with their own spelling: mathjs' "Å", SciCat's "degrees".
    _dataset(25, datasetName="Angstrom and degrees", ownerGroup="p2002", creationLocation="/ESS/LoKI",
             proposalIds=["p2002"], creationTime=_t("2024-07-03T00:00:00.000Z"),
             scientificMetadata={"wavelength": {"value": 5.0, "unit": "Å", "valueSI": 5e-10, "unitSI": "m"},
                                 "angle": {"value": 45, "unit": "degrees"}}),
    # 26: encoded keys that are also special in other ways: %24 ($), %25 (%), spaces.
    _dataset(26, datasetName="Encoded odd keys", ownerGroup="p2002", creationLocation="/ESS/LoKI",
             proposalIds=["p2002"], creationTime=_t("2024-07-04T00:00:00.000Z"),
             scientificMetadata={"%24price": {"value": 3, "unit": ""}, "100%25%20done": True,
                                 "flux%20%28photons%29": {"value": "1.5e12", "unit": "1/s"}}),
    # 27: derived from a dataset in the set (a real pid input).
    _dataset(27, datasetName="Reduced lysozyme", ownerGroup="p2001", type="derived", creationLocation=X06SA,
             proposalIds=["p2001"], inputDatasets=[pid(5), pid(6)], usedSoftware=["dials 3.17"],
             jobParameters={"d_min": 1.8}, creationTime=_t("2024-05-10T08:00:00.000Z")),
    # 28: many keywords, a long description, size and files.
    _dataset(28, datasetName="Large SAXS series", ownerGroup="p2002", creationLocation="/ESS/LoKI",
             proposalIds=["p2002"], creationTime=_t("2024-07-05T00:00:00.000Z"), size=123456789012,
             numberOfFiles=4000, keywords=["saxs", "series", "protein", "buffer"],
             description="A long SAXS series " * 40,
             scientificMetadata={"q_range": {"value": [0.01, 0.5], "unit": "1/angstrom",
                                             "type": "quantity_range"}}),
    # 29: a private X06SA dataset another proposal cannot see.
    _dataset(29, datasetName="Private other proposal", ownerGroup="p3001", creationLocation=X06SA,
             proposalIds=["p3001"], creationTime=_t("2024-08-01T00:00:00.000Z"),
             scientificMetadata={"temperature": {"value": 100, "unit": "K"}}),
    # 30: datasetName empty string (SciCat's default when sourceFolder is empty).
    _dataset(30, datasetName="", sourceFolder="/data/scicat/unnamed", creationLocation=X06SA,
             ownerGroup="p3001", proposalIds=["p3001"], creationTime=_t("2024-08-02T00:00:00.000Z")),
    # 31: v3 derived with an empty inputDatasets and a site's extra fields.
    _dataset(31, v4=False, datasetName="Derived with site fields", ownerGroup="p34123", type="derived",
             investigator="someone@your.site", inputDatasets=[], usedSoftware=[], jobParameters={},
             creationTime=_t("2018-08-08T00:00:00.000Z"), comment="ok", dataQualityMetrics=3,
             siteSpecific={"shift": "night"}),
    # 32: a scientificMetadata value object with neither value nor v: a group of scalars.
    _dataset(32, datasetName="Group of scalars", ownerGroup="p2002", creationLocation="/ESS/LoKI",
             proposalIds=["p2002"], creationTime=_t("2024-07-06T00:00:00.000Z"),
             scientificMetadata={"detectorParameters": {"Objective": 20, "Scintillator": "LAG 20um"}}),
]

BROKEN_DATASETS: list[tuple[str, dict]] = [
    ("no ownerGroup", {k: v for k, v in _dataset(901, datasetName="Broken: no ownerGroup",
                                                 creationLocation=RAMJET).items() if k != "ownerGroup"}),
    ("no creationTime", {k: v for k, v in _dataset(902, datasetName="Broken: no creationTime",
                                                   creationLocation=RAMJET).items()
                         if k not in ("creationTime", "createdAt")}),
    ("scientificMetadata is a list", _dataset(903, datasetName="Broken: metadata list", creationLocation=RAMJET,
                                              scientificMetadata=[1, 2, 3])),
    ("ownerGroup is a number", _dataset(904, datasetName="Broken: numeric group", ownerGroup=1234,
                                        creationLocation=RAMJET)),
    ("techniques is a string", _dataset(905, datasetName="Broken: techniques string", creationLocation=RAMJET,
                                        techniques="tomography")),
]
"""``(what is wrong, document)``: malformed documents a reader skips and reports."""

BROKEN_PIDS = [doc["_id"] for _, doc in BROKEN_DATASETS]


PROPOSALS: list[dict] = [
    # TestData ProposalCorrectMin (+ what the schema's defaults add).
    {"_id": "20170266", "createdBy": "proposalIngestor", "updatedBy": "proposalIngestor",
     "ownerGroup": "20170251-group", "accessGroups": ["p13388"], "isPublished": False,
     "proposalId": "20170266", "email": "proposer@uni.edu", "title": "A minimal test proposal",
     "abstract": "Abstract of test proposal", "MeasurementPeriodList": [], "metadata": {},
     "parentProposalId": None, "type": "Default Proposal", "instrumentIds": [], "numberOfDatasets": 0,
     "createdAt": _t("2017-01-01T00:00:00.000Z"), "updatedAt": _t("2017-01-01T00:00:00.000Z"), "__v": 0},
    # An id with '/' (TestData's dataset proposalId).
    {"_id": PROPOSAL_WITH_SLASH, "createdBy": "proposalIngestor", "updatedBy": "proposalIngestor",
     "ownerGroup": "p34123", "accessGroups": [], "isPublished": False,
     "proposalId": PROPOSAL_WITH_SLASH, "pi_email": "pi@uni.edu", "pi_firstname": "principal",
     "pi_lastname": "investigator", "email": "proposer@uni.edu", "firstname": "proposal",
     "lastname": "proposer", "title": "A complete test proposal", "abstract": "Abstract of test proposal",
     "startTime": _t("2011-01-23T00:00:00.000Z"), "endTime": _t("2011-01-30T00:00:00.000Z"),
     "MeasurementPeriodList": [
         {"_id": "mp-1", "instrument": "ESS3-1", "start": _t("2017-07-24T13:56:30.000Z"),
          "end": _t("2017-07-25T13:56:30.000Z"), "comment": "Some comment"},
         {"_id": "mp-2", "instrument": "ESS3-2", "start": _t("2017-07-28T13:56:30.000Z"),
          "end": _t("2017-07-29T13:56:30.000Z")}],
     "metadata": {"beamtime": {"shifts": 9}}, "parentProposalId": None, "type": "Default Proposal",
     "instrumentIds": [INSTRUMENT], "numberOfDatasets": 3,
     "createdAt": _t("2011-01-01T00:00:00.000Z"), "updatedAt": _t("2011-01-01T00:00:00.000Z"), "__v": 0},
    {"_id": "p2001", "ownerGroup": "p2001", "accessGroups": [], "isPublished": False,
     "proposalId": "p2001", "email": "erin@uni.edu", "title": "Lysozyme at many temperatures",
     "abstract": "", "MeasurementPeriodList": [], "metadata": {}, "parentProposalId": None,
     "type": "Default Proposal", "createdAt": _t("2024-01-01T00:00:00.000Z"),
     "updatedAt": _t("2024-01-01T00:00:00.000Z"), "__v": 0},
    {"_id": "p2002", "ownerGroup": "p2002", "accessGroups": [], "isPublished": False,
     "proposalId": "p2002", "email": "frank@uni.edu", "title": "SAXS of buffers",
     "MeasurementPeriodList": [], "parentProposalId": "p2001", "type": "Beamtime",
     "createdAt": _t("2024-01-02T00:00:00.000Z"), "updatedAt": _t("2024-01-02T00:00:00.000Z"), "__v": 0},
    # A group with a space; a proposal with no title (SciCat requires one, legacy data lacks it).
    {"_id": "DS-2020-7", "ownerGroup": "data scientist", "accessGroups": ["instrument scientist"],
     "proposalId": "DS-2020-7", "email": "ds@uni.edu",
     "createdAt": _t("2020-01-01T00:00:00.000Z"), "updatedAt": _t("2020-01-01T00:00:00.000Z")},
]

BROKEN_PROPOSALS: list[tuple[str, dict]] = [
    ("no ownerGroup", {"_id": "broken-proposal", "proposalId": "broken-proposal", "title": "No group",
                       "email": "x@uni.edu"}),
]

SAMPLES: list[dict] = [
    # TestData SampleCorrect, stored; sampleCharacteristics keys encoded (migration
    # 20260114145500-encode-sample-metadatakeys).
    {"_id": SAMPLE, "createdBy": "ingestor", "updatedBy": "ingestor", "ownerGroup": "ess",
     "accessGroups": ["data scientist", "instrument scientist"], "isPublished": False,
     "sampleId": SAMPLE, "owner": "Max Novelli", "description": "This is a very important sample",
     "sampleCharacteristics": {"chemical_formula": {"value": "H2O", "unit": ""},
                               "crystal%20size": {"value": 20, "unit": "um"}},
     "createdAt": _t("2011-09-01T00:00:00.000Z"), "updatedAt": _t("2011-09-01T00:00:00.000Z"), "__v": 0},
    {"_id": "sample-a", "ownerGroup": "p2001", "accessGroups": [], "isPublished": False,
     "sampleId": "sample-a", "owner": "erin", "description": "Lysozyme crystal A", "proposalId": "p2001",
     "sampleCharacteristics": {}, "createdAt": _t("2024-01-01T00:00:00.000Z"),
     "updatedAt": _t("2024-01-01T00:00:00.000Z"), "__v": 0},
]


def datasets(broken: bool = False) -> list[dict]:
    """Fresh copies of the dataset documents (and the broken ones if asked)."""
    docs = copy.deepcopy(DATASETS)
    if broken:
        docs += copy.deepcopy([doc for _, doc in BROKEN_DATASETS])
    return docs


def load(db, broken: bool = False) -> None:
    """Insert the fixture set into a pymongo database, as SciCat would have.

    ``broken`` adds :data:`BROKEN_DATASETS` and :data:`BROKEN_PROPOSALS`.
    """
    db["Dataset"].insert_many(datasets(broken), ordered=True)
    proposals = copy.deepcopy(PROPOSALS)
    if broken:
        proposals += copy.deepcopy([doc for _, doc in BROKEN_PROPOSALS])
    db["Proposal"].insert_many(proposals, ordered=True)
    db["Sample"].insert_many(copy.deepcopy(SAMPLES), ordered=True)
