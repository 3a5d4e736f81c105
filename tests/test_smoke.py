from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories


def test_published_article_is_served(client: TestClient, session: Session) -> None:
    author = factories.person(session, name="Ada Quill")
    art = factories.article(session, author_ids=[author.id])
    response = client.get(f"/v1/articles/{art.slug}")
    assert response.status_code == 200, response.text
    assert response.json()["authors"][0]["name"] == "Ada Quill"
