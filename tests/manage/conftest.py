from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from tests.factories import make_token
from tests.manage.support import Api

EDITOR = "desk-editor"


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    """An editor who can write and publish."""
    return Api(client, make_token(session, "content:write", "content:publish", name=EDITOR))


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The byline command's settings read this test's database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
