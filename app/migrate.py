"""Programmatic Alembic entry points used by the CLI and the tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config

SOURCE_ROOT = Path(__file__).resolve().parent.parent


def _project_root() -> Path:
    """The checkout when run from source; the working directory in an installed image."""
    for candidate in (SOURCE_ROOT, Path.cwd()):
        if (candidate / "migrations" / "env.py").is_file():
            return candidate
    raise FileNotFoundError("no migrations/ folder beside the app or in the working directory")


def alembic_config(database_url: str) -> Config:
    root = _project_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
