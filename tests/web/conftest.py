"""The workspace app over the small coding study of tests/workspace, and a signed-in
client for each member of its team."""

from __future__ import annotations

import re
import warnings

import pytest

from tests.workspace.conftest import desk_study  # noqa: F401 - a fixture for these tests

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def app(desk_study):  # noqa: F811
    from syrmak.web.app import create_app

    study, team = desk_study
    return create_app(study, laptop=True)


def client(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx versions
        from starlette.testclient import TestClient

        return TestClient(app, base_url=BASE)


def sign_in(app, name: str):
    """A client signed in as ``name`` by a one-time link; ``.csrf`` holds its token."""
    from syrmak.web.app import login_link

    c = client(app)
    response = c.get(login_link(app, name, "").replace("", "", 1), follow_redirects=True)
    assert response.status_code == 200, response.text
    c.csrf = re.search(r'X-CSRF-Token": "([^"]+)"', response.text).group(1)
    return c


def post(c, path: str, data: dict | None = None, **headers):
    headers = {"X-CSRF-Token": c.csrf, "HX-Request": "true", **headers}
    return c.post(path, data=data or {}, headers=headers)
