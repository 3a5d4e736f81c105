"""Settings read from the environment; nothing else in the app reads os.environ."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    read_threads: int = Field(
        default=4, ge=1, le=64, description="Threads per worker for public reads of the database"
    )
    view_store: Literal["database", "redis"] = Field(
        default="database", description="Where page views are counted first"
    )
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="For view_store=redis")
    view_flush_seconds: float = Field(
        default=2.0, gt=0, le=60, description="How often the Redis store flushes to the database"
    )
    view_dedup_minutes: int = Field(default=30, ge=0, description="Repeat views ignored this long")
    views_per_minute_per_client: int = Field(
        default=120, ge=0, description="Beacon rate limit per client address; 0 turns it off"
    )
    view_retention_days: int = Field(default=90, ge=30, description="Older view counts are dropped")
    compact_views_after_days: int = Field(
        default=14, ge=8, description="Hourly counts older than this become daily counts"
    )
    popular_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    log_level: str = "info"
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus metrics at /metrics")
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        description="Where worker processes share metric samples; "
        "`byline serve --workers N` makes a fresh one when unset",
    )
    public_base_url: str | None = Field(
        default=None,
        description="Origin for absolute links (Link headers), e.g. https://api.example.com; "
        "by default the request's own",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
