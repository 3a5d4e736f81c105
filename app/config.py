"""Settings read from the environment; nothing else in the app reads os.environ."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "byline.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL; sqlite:///path or postgresql+psycopg://user@host/db",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    cors_origins: list[str] = Field(default=["*"], description="Origins allowed to GET")
    cache_max_age: int = Field(default=60, ge=0, description="Browser cache lifetime, seconds")
    cache_s_maxage: int = Field(default=300, ge=0, description="Shared (CDN) cache lifetime")
    cache_stale_while_revalidate: int = Field(default=60, ge=0)
    gzip_minimum_size: int = Field(default=1024, ge=0)
    log_level: str = "info"
    public_base_url: str | None = Field(
        default=None,
        description="Origin for absolute links (Link headers), e.g. https://api.example.com; "
        "by default the request's own",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
