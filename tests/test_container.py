"""The image, judged from its Dockerfile, .dockerignore and compose.yaml: no build needed.

What a build would show the hard way: an unpinned base, a shell that swallows
`docker stop`, root, dependencies resolved afresh on every build, a context full
of local state. The signal handling itself is run in tests/popularity/test_stop_signal.py.
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import dockerfile

# A full release (3.11.14, not 3.11 or latest), optionally with its digest.
PINNED_IMAGE = re.compile(r"[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*(@sha256:[0-9a-f]{64})?")
COMPOSE = dockerfile.ROOT / "compose.yaml"


def test_base_images_are_pinned_to_a_release() -> None:
    stages: set[str] = set()
    for instruction in dockerfile.instructions():
        if instruction.keyword == "FROM":
            image, *alias = instruction.arguments.split(" AS ", 1)
            if image not in stages:
                assert PINNED_IMAGE.fullmatch(image), image
            stages.update(alias)


def test_the_server_runs_as_an_unprivileged_user() -> None:
    users = [i.arguments for i in dockerfile.final_stage() if i.keyword == "USER"]
    assert users, "no USER: the server would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_image_checks_its_own_health() -> None:
    [check] = [i for i in dockerfile.final_stage() if i.keyword == "HEALTHCHECK"]
    assert "/healthz" in " ".join(check.exec_form())


def test_the_command_is_exec_form_and_ends_by_becoming_the_server() -> None:
    command = dockerfile.command()
    if command[:2] == ["sh", "-c"]:
        # A shell may prepare, but must hand PID 1 to the server.
        assert command[2].rsplit("&&", 1)[-1].split() == ["exec", "byline", "serve"]
    else:
        assert command == ["byline", "serve"]


def test_dependencies_come_from_the_lock_with_hashes() -> None:
    runs = [i.arguments for i in dockerfile.final_stage() if i.keyword == "RUN"]
    installs = [command for run in runs for command in run.split("&&") if "pip install" in command]
    from_lock = [c for c in installs if "--require-hashes" in c.split()]
    assert len(from_lock) == 1, installs
    [lock] = re.findall(r"-r (\S+)", from_lock[0])
    copied = [i.arguments.split() for i in dockerfile.final_stage() if i.keyword == "COPY"]
    assert ["requirements.lock", lock] in copied
    # Anything else installed must not pull in dependencies the lock did not pin.
    for other in installs:
        assert other in from_lock or "--no-deps" in other.split(), other


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        "var/byline.sqlite3",
        ".env",
        "build/lib/app/main.py",
        "app/__pycache__/main.cpython-311.pyc",
        ".mypy_cache/3.11/app/main.meta.json",
        ".pytest_cache/README.md",
        ".ruff_cache/CACHEDIR.TAG",
        ".hypothesis/examples/0",
        "bench/out/results.json",
    ],
)
def test_local_state_stays_out_of_the_build_context(path: str) -> None:
    assert not dockerfile.in_build_context(path)


def test_everything_the_dockerfile_copies_is_in_the_build_context() -> None:
    for source in dockerfile.copied_from_context():
        found = dockerfile.ROOT / source
        assert found.exists(), source
        files = [found] if found.is_file() else [p for p in found.rglob("*.py") if p.is_file()]
        for file in files:
            relative = file.relative_to(dockerfile.ROOT).as_posix()
            assert "__pycache__" in relative or dockerfile.in_build_context(relative), relative


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    checked = subprocess.run(
        [hadolint, "--no-color", str(dockerfile.DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_compose_starts_the_api_once_its_databases_are_healthy() -> None:
    services = _compose()["services"]
    api = services["api"]
    assert api["build"] == "."
    for name, condition in api["depends_on"].items():
        assert condition == {"condition": "service_healthy"}, name
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    assert set(api["depends_on"]) == {"postgres", "redis"}
    environment = api["environment"]
    assert re.match(r"postgresql\+psycopg://[^@]+@postgres:5432/", environment["DATABASE_URL"])
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["VIEW_STORE"] == "redis"


def test_compose_pins_the_database_images_to_a_major_version() -> None:
    services = _compose()["services"]
    for name in ("postgres", "redis"):
        assert re.fullmatch(rf"{name}:\d+(\.\d+)*(-[a-z]+)?", services[name]["image"]), name
