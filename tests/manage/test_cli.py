"""`byline tokens create / list / revoke` against the test database."""

import gc
import signal
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from app.cli import main
from app.config import get_settings
from tests.helpers import problem
from tests.manage.support import bearer


@pytest.fixture(autouse=True)
def keep_signal_handling() -> Iterator[None]:
    """The command may change how this process treats SIGPIPE; the test run must not inherit it."""
    previous = signal.getsignal(signal.SIGPIPE)
    yield
    signal.signal(signal.SIGPIPE, previous)


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    out: str = capsys.readouterr().out
    return out


def secret_in(output: str) -> str:
    (secret,) = [word for word in output.split() if word.startswith("byl_")]
    return secret


@pytest.mark.usefixtures("cli_database")
def test_create_prints_a_token_that_works(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    output = run(capsys, "tokens", "create", "--name", "ci-reader", "--scope", "content:read")

    secret = secret_in(output)
    assert "ci-reader" in output
    assert client.get("/v1/manage/articles", headers=bearer(secret)).status_code == 200
    problem(client.post("/v1/manage/tags", json={}, headers=bearer(secret)), 403)


@pytest.mark.usefixtures("cli_database")
def test_several_scopes(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    output = run(
        capsys,
        "tokens",
        "create",
        "--name",
        "cms",
        "--scope",
        "content:write",
        "--scope",
        "content:publish",
    )
    secret = secret_in(output)

    created = client.post(
        "/v1/manage/tags",
        json={"slug": "cli", "name": "CLI", "kind": "topic"},
        headers=bearer(secret),
    )

    assert created.status_code == 201, created.text
    assert created.json()["created_by"] == "cms"
    problem(client.get("/v1/manage/tokens", headers=bearer(secret)), 403)


@pytest.mark.usefixtures("cli_database")
def test_list_never_prints_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    first = secret_in(run(capsys, "tokens", "create", "--name", "alpha", "--scope", "admin"))
    second = secret_in(run(capsys, "tokens", "create", "--name", "beta", "--scope", "content:read"))

    listing = run(capsys, "tokens", "list")

    assert "alpha" in listing
    assert "beta" in listing
    for secret in (first, second):
        assert secret not in listing
        # Only a short prefix, never enough to use.
        assert secret[:12] in listing
        assert secret[:20] not in listing


@pytest.mark.usefixtures("cli_database")
def test_revoke_makes_the_token_401(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    keep = secret_in(run(capsys, "tokens", "create", "--name", "keep", "--scope", "admin"))
    drop = secret_in(run(capsys, "tokens", "create", "--name", "drop", "--scope", "admin"))
    listed = client.get("/v1/manage/tokens", headers=bearer(keep)).json()
    (ident,) = [t["id"] for t in listed if t["name"] == "drop"]
    assert client.get("/v1/manage/articles", headers=bearer(drop)).status_code == 200

    output = run(capsys, "tokens", "revoke", str(ident))

    assert "drop" in output
    response = client.get("/v1/manage/articles", headers=bearer(drop))
    problem(response, 401)
    assert "invalid_token" in response.headers["www-authenticate"]
    assert client.get("/v1/manage/articles", headers=bearer(keep)).status_code == 200
    listing = run(capsys, "tokens", "list")
    (line,) = [row for row in listing.splitlines() if "\tdrop\t" in row]
    assert "revoked" in line


@pytest.mark.usefixtures("cli_database")
def test_unknown_scope_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["tokens", "create", "--name", "x", "--scope", "content:everything"])

    assert exit_info.value.code == 2
    assert "content:everything" in capsys.readouterr().err
    assert "\tx\t" not in run(capsys, "tokens", "list")


@pytest.mark.usefixtures("cli_database")
def test_revoking_an_unknown_token_is_an_error_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome: object
    try:
        outcome = main(["tokens", "revoke", "424242"])
    except SystemExit as exit_:
        outcome = exit_.code
    except Exception as error:
        outcome = f"raised {error!r}"
    # Whatever the command left open is reported here, not in a later test.
    gc.collect()

    assert isinstance(outcome, int), outcome
    assert outcome != 0
    assert "424242" in capsys.readouterr().err


def test_serve_keeps_broken_connections_from_killing_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python ignores SIGPIPE so a client hanging up is an exception, not the end of the process.

    `byline serve` must start uvicorn that way; only the printing commands may want the
    quiet `| head` behaviour.
    """
    started_with: list[object] = []

    def fake_run(*_args: object, **_kwargs: object) -> None:
        started_with.append(signal.getsignal(signal.SIGPIPE))

    monkeypatch.setattr(uvicorn, "run", fake_run)

    assert main(["serve", "--port", "8999"]) == 0

    assert started_with == [signal.SIG_IGN]
