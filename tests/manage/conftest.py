import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_token
from tests.manage.support import Api

EDITOR = "desk-editor"


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    """An editor who can write and publish."""
    return Api(client, make_token(session, "content:write", "content:publish", name=EDITOR))
