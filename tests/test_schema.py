"""Schemathesis against the app's own OpenAPI schema over real HTTP: no 5xx, responses match the schema."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from indexer.config import Settings
from indexer.service import Clipindex
from tests.apiserver import running

# hundreds of generated requests over real HTTP
pytestmark = pytest.mark.slow


@pytest.fixture
def api_schema(settings: Settings) -> Iterator[tuple[schemathesis.BaseSchema, str]]:
    # workers=0: generated uploads stay queued; the resolver makes every host private, so no URL is fetched
    service = Clipindex(dataclasses.replace(settings, max_upload_mb=0.5), resolver=lambda host: ["10.0.0.1"],
                        url_probe=lambda url: (200, None))
    _key, secret = service.keys.create("schemathesis")
    with running(service, workers=0) as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json"), secret


def test_api_conforms_to_its_schema(api_schema: tuple[schemathesis.BaseSchema, str]) -> None:
    schema, secret = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                             database=None)
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {secret}"})
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                                     content_type_conformance, response_schema_conformance])

        check()
