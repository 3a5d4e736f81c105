"""openapi-typescript generates types from the committed document, and a small client that
reads an article, a list page and /v1/popular and posts a view compiles against them."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.contract.document import DOCUMENT_PATH

PROJECT = Path(__file__).resolve().parent / "typescript"
INSTALLED_LOCK = PROJECT / "node_modules" / ".package-lock.json"


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        reason = "npm is not installed: the TypeScript client check needs Node.js and npm"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI requires it)")
        pytest.skip(reason)
    return npm


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"


def _installed_matches_lock() -> bool:
    """npm ci records what it installed in node_modules/.package-lock.json."""
    if not INSTALLED_LOCK.exists():
        return False
    locked = json.loads((PROJECT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    installed = json.loads(INSTALLED_LOCK.read_text(encoding="utf-8"))["packages"]
    return bool(installed == {path: entry for path, entry in locked.items() if path != ""})


def _install(npm: str) -> None:
    if not _installed_matches_lock():
        _run(npm, "ci", "--no-audit", "--no-fund")


def test_client_compiles_against_generated_types() -> None:
    npm = _npm()
    _install(npm)
    bin_dir = PROJECT / "node_modules" / ".bin"
    _run(
        str(bin_dir / "openapi-typescript"),
        str(DOCUMENT_PATH),
        # Follow `required` as written: a field with a default is optional in a request.
        "--default-non-nullable",
        "false",
        "--output",
        "generated/api.d.ts",
    )
    _run(str(bin_dir / "tsc"), "--strict", "--noEmit", "--project", "tsconfig.json")
