"""The `byline` command against the test database: tokens, help, progress, the database it names."""

import gc
import json
import os
import pty
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.cli import main
from app.config import get_settings
from app.popularity.counts import add_views
from tests import factories
from tests.helpers import problem
from tests.manage.support import bearer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def keep_signal_handling() -> Iterator[None]:
    """The command may change how this process treats SIGPIPE; the test run must not inherit it."""
    previous = signal.getsignal(signal.SIGPIPE)
    yield
    signal.signal(signal.SIGPIPE, previous)


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


def test_version_is_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"byline {version('byline')}\n"


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    usage_choices = re.search(r"\{([a-z,-]+)\}", help_text)
    assert usage_choices is not None
    commands = usage_choices.group(1).split(",")
    description = help_text.split("\n\n")[1]

    assert "compact-views" in commands
    for command in commands:
        assert re.search(rf"\b{command}\b", description), (command, description)
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0


@pytest.mark.usefixtures("cli_database", "engine")
@pytest.mark.parametrize(
    "argv",
    [
        ["migrate"],
        ["load-demo"],
        ["rebuild-documents"],
        ["compact-views"],
        ["tokens", "create", "--name", "named", "--scope", "admin"],
        ["tokens", "list"],
    ],
)
def test_every_database_command_names_the_database_on_stderr(
    argv: list[str], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0

    assert capsys.readouterr().err.splitlines()[0] == f"byline: database {database_url}"


@pytest.mark.usefixtures("engine")
def test_the_database_is_named_without_its_password(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("only a database server has a password")
    # The test server trusts local connections, so any password gets in.
    monkeypatch.setenv(
        "DATABASE_URL", url.set(password="sekret").render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    try:
        assert main(["tokens", "list"]) == 0
    finally:
        get_settings.cache_clear()

    err = capsys.readouterr().err
    assert "sekret" not in err
    assert err.startswith(f"byline: database {url.drivername}://{url.username}:***@{url.host}")


@pytest.mark.usefixtures("cli_database")
def test_serve_names_the_database_in_a_json_log_line_before_uvicorn_starts(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    logged_before_start: list[str] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda *_a, **_k: logged_before_start.append(capsys.readouterr().err)
    )

    assert main(["serve"]) == 0

    (err,) = logged_before_start
    entries = [json.loads(line) for line in err.splitlines()]
    assert [entry.get("database") for entry in entries] == [database_url]
    assert entries[0]["logger"].startswith("byline")


@pytest.mark.usefixtures("cli_database")
def test_serve_with_a_bad_setting_never_starts_the_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **_k: started.append(a))
    monkeypatch.setenv("PORT", "abc")
    get_settings.cache_clear()

    assert main(["serve"]) == 2

    assert started == []
    assert capsys.readouterr().err.splitlines() == [
        "byline: invalid setting PORT=abc: "
        "Input should be a valid integer, unable to parse string as an integer"
    ]


def run_on_a_terminal(database_url: str, *argv: str) -> tuple[str, str]:
    """Run the command with stderr on a pseudo-terminal; returns its stdout and what the
    terminal showed."""
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *argv],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=subprocess.PIPE,
            stderr=terminal,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        os.close(terminal)
    shown = b""
    try:
        while chunk := os.read(controller, 4096):
            shown += chunk
    except OSError:  # the terminal is gone once everything it held has been read
        pass
    finally:
        os.close(controller)
    return result.stdout, shown.decode()


def run_in_a_pipe(database_url: str, *argv: str) -> tuple[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *argv],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout, result.stderr


def test_rebuild_documents_shows_progress_on_a_terminal_only(
    session: Session, database_url: str
) -> None:
    for _ in range(3):
        factories.article(session)

    out, terminal = run_on_a_terminal(database_url, "rebuild-documents")
    piped_out, piped_err = run_in_a_pipe(database_url, "rebuild-documents")

    assert re.search(r"rebuilding documents \[#+\] 3/3", terminal), terminal
    assert out == piped_out == "rebuilt documents for 3 articles\n"
    assert piped_err.splitlines() == [f"byline: database {database_url}"]


def test_compact_views_shows_progress_on_a_terminal_only(
    session: Session, database_url: str
) -> None:
    article = factories.article(session, published_at=factories.hours_ago(24 * 40))
    assert article.id is not None
    month_ago = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    add_views(session, {(article.id, month_ago - timedelta(hours=h)): 1 for h in range(5)})
    session.commit()

    out, terminal = run_on_a_terminal(database_url, "compact-views")
    piped_out, piped_err = run_in_a_pipe(database_url, "compact-views")

    assert re.search(r"folding hourly view counts \[#+\] 5/5", terminal), terminal
    assert out == "folded 5 hourly view counts into daily ones\n"
    assert piped_out == "folded 0 hourly view counts into daily ones\n"
    assert piped_err.splitlines() == [f"byline: database {database_url}"]
