import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.manage.support import Api, make_token

EDITOR = "desk-editor"


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    """An editor who can write and publish."""
    return Api(client, make_token(session, "content:write", "content:publish", name=EDITOR))
