"""Schemathesis over the OpenAPI document: every operation, as an owner and as a viewer.

No answer may be a 5xx, and every answer must match what the document declares (status, content type,
body schema). The number of examples per operation is bounded (AIOSTORE_FUZZ_EXAMPLES, default 50) and
the run is derandomized, so CI stays within its budget and a failure is reproducible.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aiostore.settings import Settings
from aiostore.web.app import create_app

# The document is the app's own; requests go to the fixture's app (`fuzz_app`), which has a database.
# (Loaded here, not from a fixture: schemathesis' lazy fixture loader does not run on pytest 9.) Its
# development secrets go to a folder of its own: every xdist worker imports this module at once, and
# two writing one secrets.json (the default `.aiostore`) could read each other's half-written file.
with tempfile.TemporaryDirectory(prefix="aiostore-fuzz-") as _data:
    _document = create_app(Settings(_env_file=None, data_dir=Path(_data))).openapi()  # type: ignore[call-arg]
# A server-sent event stream stays open up to `max_seconds`; its own tests cover it.
schema = schemathesis.openapi.from_dict(_document).exclude(
    path=["/api/jobs/events", "/api/notifications/events"]
)
pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("AIOSTORE_FUZZ_EXAMPLES", "50"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call(case: Any, app: FastAPI, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, app=app)


@schema.parametrize()
@FUZZ
def test_as_owner(case: Any, fuzz_app: FastAPI, tokens: dict[str, str]) -> None:
    _call(case, fuzz_app, tokens["owner"])


@schema.parametrize()
@FUZZ
def test_as_viewer(case: Any, fuzz_app: FastAPI, tokens: dict[str, str]) -> None:
    _call(case, fuzz_app, tokens["viewer"])
