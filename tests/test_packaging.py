"""The wheel, installed outside the repository, and the lock files it installs from."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import distribution
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests import dockerfile
from tests.processes import free_port, run, serving

ROOT = dockerfile.ROOT
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME_DEPENDENCIES: list[str] = PROJECT["dependencies"]
DEV_DEPENDENCIES: list[str] = PROJECT["optional-dependencies"]["dev"]
# name==version, then optional markers and hashes on continuation lines
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Byline's wheel, built as the image builds it: from the files its Dockerfile copies."""
    source = tmp_path_factory.mktemp("source")
    for copied in dockerfile.copied_from_context():
        if copied.endswith(".lock"):
            continue
        origin = ROOT / copied
        if origin.is_dir():
            shutil.copytree(origin, source / copied, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / copied)
    wheels = tmp_path_factory.mktemp("wheels")
    # The dev tools include the build backend, so no index is needed.
    build = ["pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir"]
    run([sys.executable, "-m", *build, str(wheels), str(source)], env=os.environ, cwd=source)
    [built] = wheels.glob("byline-*.whl")
    return built


def test_the_wheel_carries_every_package_the_migrations_and_the_demo(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "app").rglob("__init__.py")}
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    migrations = [
        "app/migrations/" + p.relative_to(ROOT / "migrations").as_posix()
        for p in (ROOT / "migrations").rglob("*.py")
        if "__pycache__" not in p.parts
    ]
    assert "app/migrations/env.py" in migrations
    assert set(migrations) <= names
    assert {"app/py.typed", "app/demo/content.json"} <= names


def test_the_installed_wheel_migrates_loads_the_demo_and_serves(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    # The dependencies come from this test run's environment, through a path entry only:
    # its .pth files (among them the editable install of the checkout) are not read.
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run([python, "-c", where], env=os.environ, cwd=tmp_path).strip())
    shared = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "dependencies.pth").write_text("\n".join(sorted(shared)) + "\n")
    install = ["pip", "install", "--quiet", "--no-deps", "--no-index"]
    run([python, "-m", *install, wheel], env=os.environ, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "VIRTUAL_ENV"}
    } | {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'byline.sqlite3'}",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "warning",
    }
    imported = run(
        [python, "-c", "import app; print(app.__file__)"], env=environment, cwd=elsewhere
    )
    assert Path(imported.strip()).is_relative_to(site), imported

    run(["byline", "migrate"], env=environment, cwd=elsewhere)
    run(["byline", "load-demo"], env=environment, cwd=elsewhere)
    with serving(["byline", "serve"], env=environment, cwd=elsewhere, port=port) as server:
        listed = httpx.get(f"{server.url}/v1/articles?limit=1")
        assert listed.status_code == 200, listed.text
        slug = listed.json()["items"][0]["slug"]
        article = httpx.get(f"{server.url}/v1/articles/{slug}")
        assert article.status_code == 200, article.text
        assert article.json()["slug"] == slug
        server.stop()
    assert "Traceback" not in server.log.read_text(), server.log.read_text()


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", RUNTIME_DEPENDENCIES),
        ("requirements-dev.lock", RUNTIME_DEPENDENCIES + DEV_DEPENDENCIES),
    ],
)
def test_the_lock_pins_every_dependency_within_its_range(
    lock: str, requirements: list[str]
) -> None:
    pins = _pins(lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in {lock}: run `make lock`"
        assert pins[name] in requirement.specifier, f"{lock} pins {name} {pins[name]}: {line}"
        for extra in requirement.extras:
            for needed in distribution(name).requires or []:
                wanted = Requirement(needed)
                if wanted.marker and wanted.marker.evaluate({"extra": extra}):
                    assert canonicalize_name(wanted.name) in pins, f"{line} needs {wanted.name}"


def test_the_runtime_lock_and_the_dev_lock_pin_the_same_versions() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
    pinned = [entry for entry in entries if PIN.match(entry)]
    assert pinned
    for entry in pinned:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
