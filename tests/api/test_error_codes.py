"""Error codes are written once, on the exception classes; the service's answers, the API
description and the client's exceptions all follow from them."""

from __future__ import annotations

import pytest
from tornado.web import HTTPError

from beamhub.catalogue import errors as catalogue
from beamhub.client.errors import ApiError, Conflict, NotFound, Unavailable, error_from_response
from beamhub.service.errors import ERROR_CODES, STATUS_CODES
from beamhub.service.handlers import error_body
from beamhub.service.openapi import build_openapi

CLASSES = catalogue.error_classes()


def test_every_code_is_listed_once_with_its_status():
    codes = [cls.code for cls in CLASSES]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    assert {"invalid_input", "not_found", "conflict", "illegal_transition", "store_unavailable",
            "hub_unavailable", "job_submission_failed", "timeout", "preview_unavailable",
            "method_not_allowed", "unauthorized", "too_many_requests", "internal_error"} <= set(codes)
    assert ERROR_CODES["illegal_transition"] == 409 and ERROR_CODES["limit_exceeded"] == 413


def test_the_api_description_lists_every_code():
    text = build_openapi("/services/catalogue")["info"]["description"]
    for code, status in ERROR_CODES.items():
        assert f"`{code}`: HTTP {status}" in text


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.code)
def test_an_answer_round_trips_to_the_client_as_the_same_kind_of_error(cls):
    status, body = error_body(cls("what went wrong"), 500)
    assert (status, body["code"], body["message"]) == (cls.http_status, cls.code, "what went wrong")
    raised = error_from_response(status, body)
    assert isinstance(raised, ApiError) and raised.code == cls.code and raised.status == cls.http_status
    # the client's exception is also the catalogue's, so code written against the
    # catalogue catches it (the most specific catalogue class the client has one for)
    client_kinds = {base for kind in type(raised).__mro__ for base in kind.__bases__}
    nearest = next(base for base in cls.__mro__ if base in client_kinds)
    assert isinstance(raised, nearest)


def test_every_unavailable_code_is_retryable_on_the_client():
    for cls in CLASSES:
        if issubclass(cls, catalogue.Unavailable):
            assert isinstance(error_from_response(503, {"code": cls.code, "message": "x"}), Unavailable)


@pytest.mark.parametrize("status", sorted(STATUS_CODES))
def test_tornado_errors_get_the_general_code_of_their_status(status):
    got_status, body = error_body(HTTPError(status), status)
    assert got_status == status and ERROR_CODES[body["code"]] == status
    assert error_from_response(status, "<html>proxy page</html>").code == STATUS_CODES[status]


@pytest.mark.parametrize("status, kind", [(503, Unavailable), (404, NotFound), (409, Conflict)])
def test_a_code_the_client_does_not_know_is_the_kind_its_status_says(status, kind):
    # a newer service, or an error class defined in a module the client never imports
    raised = error_from_response(status, {"code": "something_new", "message": "x"})
    assert isinstance(raised, kind) and raised.code == "something_new"
