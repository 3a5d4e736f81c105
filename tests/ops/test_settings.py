"""Settings as an operator writes them: comma-separated origins, one clear line per mistake,
and one default database whatever the working directory."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.config import Settings, get_settings
from tests.conftest import own_app_client

SETTING_NAMES = [
    "DATABASE_URL",
    "DATABASE_READ_URL",
    "DATA_DIR",
    "XDG_DATA_HOME",
    "CORS_ORIGINS",
    "PORT",
    "LOG_LEVEL",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No setting of the shell running the tests, and no settings cached by an earlier test."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "written",
    [
        "https://a.example, https://b.example:8443",
        '["https://a.example", "https://b.example:8443"]',
    ],
)
def test_cors_origins_as_a_comma_separated_list_or_json(
    written: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", written)
    settings = Settings(database_url=database_url, log_level="warning")

    with own_app_client(settings) as client:
        allowed = [
            client.get("/healthz", headers={"Origin": origin}).headers.get(
                "access-control-allow-origin"
            )
            for origin in ("https://a.example", "https://b.example:8443", "https://c.example")
        ]

    assert allowed == ["https://a.example", "https://b.example:8443", None]


def run_with_bad_settings(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["tokens", "list"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("PORT", "abc", "Input should be a valid integer"),
        ("WORKERS", "0", "Input should be greater than or equal to 1"),
        ("CORS_ORIGINS", "https://a.example/news", "is not an origin"),
        ("CORS_ORIGINS", "https://a.example, b.example", "'b.example' is not an origin"),
        ("CORS_ORIGINS", '["https://a.example"', "Expecting"),
        ("PUBLIC_BASE_URL", "api.example.com", "is not an origin"),
        ("LOG_LEVEL", "loud", "Input should be 'critical', 'error', 'warning', 'info' or 'debug'"),
        ("DATABASE_URL", "byline.sqlite3", "not a database URL"),
        ("DATABASE_URL", "mysql://byline@db.example/byline", "use sqlite or postgresql"),
        ("DATABASE_READ_URL", "sqlite:///replica.sqlite3", "SQLite has no read replicas"),
        ("DATABASE_READ_URL", "postgresql://reader@replica.example/byline", "PostgreSQL primary"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    name: str,
    value: str,
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)

    (line,) = run_with_bad_settings(capsys)

    assert line.startswith(f"byline: invalid setting {name}={value}: ")
    assert reason in line


def test_each_bad_setting_has_its_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "abc")
    monkeypatch.setenv("DATA_DIR", "")
    monkeypatch.setenv("LOG_LEVEL", "loud")

    lines = run_with_bad_settings(capsys)

    # The default DATABASE_URL lies in DATA_DIR; one mistake is one line, not two.
    assert sorted(line.split("=")[0] for line in lines) == [
        "byline: invalid setting DATA_DIR",
        "byline: invalid setting LOG_LEVEL",
        "byline: invalid setting PORT",
    ]


def test_a_bad_database_url_is_shown_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://byline:sekret@db.example/byline")

    (line,) = run_with_bad_settings(capsys)

    assert "DATABASE_URL=mysql://byline:***@db.example/byline" in line
    assert "sekret" not in line


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    assert Settings().log_level == "warning"


def test_every_working_directory_finds_the_same_default_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "byline" / "byline.sqlite3"
    for directory in ("server", "cron", "shell"):
        (tmp_path / directory).mkdir()

    monkeypatch.chdir(tmp_path / "server")
    assert main(["migrate"]) == 0
    monkeypatch.chdir(tmp_path / "cron")
    assert main(["tokens", "create", "--name", "from-cron", "--scope", "admin"]) == 0
    monkeypatch.chdir(tmp_path / "shell")
    assert main(["tokens", "list"]) == 0

    captured = capsys.readouterr()
    assert "\tfrom-cron\t" in captured.out
    assert expected.is_file()
    assert captured.err.splitlines() == [f"byline: database sqlite:///{expected}"] * 3


def test_without_xdg_data_home_the_database_is_under_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    assert Settings().database_url == f"sqlite:///{tmp_path}/.local/share/byline/byline.sqlite3"


def test_data_dir_holds_the_default_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "unused"))
    monkeypatch.chdir(tmp_path)
    # A relative directory is taken from where the command starts, and named in full.
    monkeypatch.setenv("DATA_DIR", "srv/byline")

    assert main(["migrate"]) == 0

    database = tmp_path / "srv" / "byline" / "byline.sqlite3"
    assert database.is_file()
    assert not (tmp_path / "unused").exists()
    assert capsys.readouterr().err == f"byline: database sqlite:///{database}\n"
