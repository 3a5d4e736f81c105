"""Settings read from the environment; nothing else in the app reads os.environ."""

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATABASE_FILE = "byline.sqlite3"
BACKENDS = ("sqlite", "postgresql")


def _default_data_dir() -> Path:
    """Per user, as the XDG base directory spec places data, so that every working
    directory (the server's, a cron job's, a shell's) finds the same database."""
    xdg_data_home = os.environ.get("XDG_DATA_HOME", "")
    # The spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    base = Path(xdg_data_home) if os.path.isabs(xdg_data_home) else Path.home() / ".local/share"
    return base / "byline"


def _not_empty(value: Any) -> Any:
    # Path("") is the working directory: the very dependence a data directory avoids.
    if value == "":
        raise PydanticCustomError("empty", "set a directory, or unset it for the default")
    return value


def _database_url(value: str) -> str:
    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError:
        raise PydanticCustomError(
            "database_url", "not a database URL, e.g. sqlite:////path or postgresql+psycopg://..."
        ) from None
    if backend not in BACKENDS:
        raise PydanticCustomError(
            "database_url",
            "{backend} is not supported: use sqlite or postgresql",
            {"backend": backend},
        )
    return value


def _database_read_url(value: str, info: ValidationInfo) -> str:
    """A streaming replica of the primary, so PostgreSQL like DATABASE_URL."""
    backend = make_url(_database_url(value)).get_backend_name()
    if backend == "sqlite":
        raise PydanticCustomError(
            "database_read_url",
            "SQLite has no read replicas (its readers already share the file with the writer): "
            "unset it",
        )
    # Absent when DATABASE_URL itself is invalid; that has its own line.
    primary = info.data.get("database_url")
    if primary is not None and make_url(primary).get_backend_name() != backend:
        raise PydanticCustomError(
            "database_read_url",
            "a read replica needs a PostgreSQL primary, and DATABASE_URL is SQLite",
        )
    return value


def _origin(value: str) -> str:
    """What a browser sends in an Origin header: scheme://host[:port], nothing more."""
    try:
        parts = urlsplit(value)
        valid = (
            bool(parts.scheme and parts.hostname)
            and parts.username is None
            and parts.port != 0
            and value == f"{parts.scheme}://{parts.netloc}"
        )
    except ValueError:  # a port out of range or a malformed IPv6 address
        valid = False
    if not valid:
        raise PydanticCustomError(
            "origin",
            "'{origin}' is not an origin: scheme://host[:port], no path",
            {"origin": value},
        )
    return value


def _home_page(value: str) -> str:
    """An absolute http(s) URL: feeds hand it to readers as a link."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError(
            "home_page", "'{url}' is not an absolute http(s) URL", {"url": value}
        )
    return value


def _listed(value: Any) -> Any:
    """A JSON list, or values separated by commas, as people write them."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        return json.loads(value)
    return [origin.strip() for origin in value.split(",") if origin.strip()]


def _cors_origins(origins: list[str]) -> list[str]:
    return [origin if origin == "*" else _origin(origin) for origin in origins]


RATIO_PATTERN = re.compile(r"^(\d{1,3}(?:\.\d{1,3})?)x(\d{1,3}(?:\.\d{1,3})?)$")


def _widths(widths: list[int]) -> list[int]:
    if not widths:
        raise ValueError("at least one width is needed")
    return sorted(set(widths))


def _ratios(ratios: list[str]) -> list[str]:
    """Crops named width x height, such as 16x9 or 1.91x1, each once."""
    for ratio in ratios:
        match = RATIO_PATTERN.match(ratio)
        if match is None or not float(match[1]) or not float(match[2]):
            raise ValueError(f"{ratio!r} is not a ratio such as 16x9 or 1.91x1")
    if len(set(ratios)) != len(ratios):
        raise ValueError("a ratio is listed twice")
    return ratios


def _s3_bucket(bucket: str | None, info: ValidationInfo) -> str | None:
    if not bucket and info.data.get("image_storage") == "s3":
        raise PydanticCustomError("s3_bucket", "IMAGE_STORAGE=s3 needs a bucket: set S3_BUCKET")
    return bucket or None


def _s3_access_key_id(key_id: str | None, info: ValidationInfo) -> str | None:
    """Both halves of the credentials or neither: boto3 would fail on one alone."""
    if (key_id is None) != (info.data.get("s3_secret_access_key") is None):
        raise PydanticCustomError(
            "s3_credentials", "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither"
        )
    return key_id


# What WEB_URL_TEMPLATE may name (app.documents.web fills them), each with a value of
# its shape, so a template can be checked by filling it.
WEB_URL_PLACEHOLDERS = {
    "slug": "the-ceasefire-that-nobody-signed",
    "id": "42",
    "type": "opinion",
    "section": "opinion",
    "year": "2026",
    "month": "11",
    "day": "18",
}


def _web_url_template(template: str) -> str:
    known = ", ".join("{" + name + "}" for name in WEB_URL_PLACEHOLDERS)
    try:
        fields = [
            (name, spec or "", conversion or "")
            for _, name, spec, conversion in Formatter().parse(template)
            if name is not None
        ]
    except ValueError as exc:  # a lone "{" or "}"
        raise PydanticCustomError(
            "web_url_template",
            "not a template ({error}): use {known}",
            {"error": str(exc), "known": known},
        ) from None
    for name, spec, conversion in fields:
        if name not in WEB_URL_PLACEHOLDERS or spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise PydanticCustomError(
                "web_url_template",
                "{field} is not a placeholder: use {known}",
                {"field": "{" + written + "}", "known": known},
            )
    filled = urlsplit(template.format_map(WEB_URL_PLACEHOLDERS))
    if filled.scheme not in {"http", "https"} or not filled.hostname:
        raise PydanticCustomError(
            "web_url_template",
            "not an absolute http(s) URL, e.g. {example}",
            {"example": "https://www.example.com/{section}/{slug}"},
        )
    return template


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Annotated[
        Path,
        BeforeValidator(_not_empty),
        AfterValidator(lambda path: path.expanduser().absolute()),
    ] = Field(
        default_factory=_default_data_dir,
        description="Where Byline keeps its files; the default SQLite database is here",
    )
    database_url: Annotated[str, AfterValidator(_database_url)] = Field(
        default_factory=lambda data: f"sqlite:///{data['data_dir'] / DATABASE_FILE}",
        description="SQLAlchemy URL; sqlite:///path or postgresql+psycopg://user@host/db",
    )
    database_read_url: Annotated[str, AfterValidator(_database_read_url)] | None = Field(
        default=None,
        description="A PostgreSQL read replica of DATABASE_URL for the public reads; "
        "unset, everything uses DATABASE_URL",
    )
    # Limits: each bounds one wait, and together they bound a request. Every database
    # wait (a pooled connection, opening one, a statement) ends before the request
    # timeout, so a database failure answers as itself (a 503 naming the database)
    # rather than as a timeout.
    request_timeout_seconds: float = Field(
        default=30,
        gt=0,
        le=600,
        description="Longest a request may take before it answers 503 with Retry-After: over "
        "pool timeout, connect timeout and statement timeout together (20 s by default), and "
        "under the 60 s idle timeout of common load balancers, so a client gets Byline's "
        "answer rather than the balancer's 504",
    )
    database_statement_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=300,
        description="Longest one SQL statement may run (PostgreSQL statement_timeout; on "
        "SQLite, how long a writer waits for the write lock): reads take milliseconds and the "
        "largest writes (a 10,000-view import) a few seconds, so a statement at 10 s is stuck "
        "behind a lock or a sick server, and holding its connection only starves the others",
    )
    database_connect_timeout_seconds: int = Field(
        default=5,
        ge=2,
        le=60,
        description="Longest to wait for PostgreSQL to accept a connection: milliseconds "
        "on a working network, while the system's own limit is minutes; at least 2 s, "
        "libpq's minimum",
    )
    database_pool_size: int = Field(
        default=8,
        ge=1,
        le=100,
        description="Connections each worker keeps open for sessions, and again for the hot "
        "reads on PostgreSQL: a read holds one for milliseconds, so 8 serve thousands of "
        "requests a second, and 2 workers with overflow stay within PostgreSQL's default "
        "100 connections",
    )
    database_max_overflow: int = Field(
        default=8,
        ge=0,
        le=100,
        description="Connections a worker may open beyond the pool size in a burst, closed "
        "again when returned",
    )
    database_pool_timeout_seconds: float = Field(
        default=5,
        gt=0,
        le=60,
        description="Longest a request waits for a free connection before it answers 503: "
        "connections come back within milliseconds, so waiting longer means the database "
        "is overloaded, and queueing more requests behind it only makes every one late",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # Connections (uvicorn's). Slow and idle clients are a reverse proxy's to absorb; these
    # bound what reaches Byline without one. See "Slow clients and connection limits".
    keep_alive_seconds: int = Field(
        default=5,
        ge=1,
        le=3600,
        description="How long an idle connection is kept open after a response: long enough for "
        "a browser's next request, short enough not to hoard sockets; behind a load balancer "
        "set it above the balancer's idle timeout (60 s on many), or it closes connections "
        "the balancer is about to reuse and clients see 502s",
    )
    max_connections: int = Field(
        default=0,
        ge=0,
        description="Open connections (idle ones included) per worker past which a new request "
        "is answered a plain 503 by uvicorn; 0 turns the limit off, the default, since idle "
        "and slow connections count: a few hundred of them would turn every request away",
    )
    graceful_shutdown_seconds: int = Field(
        default=8,
        ge=1,
        le=300,
        description="On SIGTERM, how long requests in flight may finish before they are "
        "cancelled; below the 10 s after which `docker stop` kills, so the shutdown that "
        "follows (the last flush of views from Redis among it) still runs",
    )
    cors_origins: Annotated[
        list[str], NoDecode, BeforeValidator(_listed), AfterValidator(_cors_origins)
    ] = Field(default=["*"], description="Origins allowed to GET")
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
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="For view_store=redis and manage_rate_limit_store=redis",
    )
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
    # Management API rate limits. 600 a minute (10 a second, sustained) is far more
    # than editors and import scripts send, and low enough that one runaway script
    # cannot take the database from everyone else.
    manage_requests_per_minute_per_client: int = Field(
        default=600,
        ge=0,
        description="Management requests per minute per client (its token, or its address "
        "without a valid token); 0 turns the limit off",
    )
    # Memory needs nothing else and is exact for one process (the SQLite setup); with
    # more workers or machines only Redis makes the limit hold as set.
    manage_rate_limit_store: Literal["memory", "redis"] = Field(
        default="memory",
        description="Where management request counts live: memory (per worker process, so "
        "N workers admit N times the limit) or redis (at REDIS_URL, shared by all workers; "
        "while Redis is unreachable requests are let through)",
    )
    log_level: Annotated[
        Literal["critical", "error", "warning", "info", "debug"],
        BeforeValidator(lambda level: level.lower() if isinstance(level, str) else level),
    ] = "info"
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus metrics at /metrics")
    prometheus_multiproc_dir: Path | None = Field(
        default=None,
        description="Where worker processes share metric samples; "
        "`byline serve --workers N` makes a fresh one when unset",
    )
    # Images: where files live, what an upload may be, and which renditions exist.
    image_storage: Literal["local", "s3"] = Field(
        default="local",
        description="Where image files are kept: a local directory or S3-compatible storage",
    )
    image_dir: Path = Field(
        default_factory=lambda data: data["data_dir"] / "media",
        description="The local image store's directory (IMAGE_STORAGE=local)",
    )
    image_staging_dir: Path = Field(
        default_factory=lambda data: data["data_dir"] / "staging",
        description="Where uploads are written as they arrive, until checked and stored; "
        "never the image store itself. Needs room for IMAGE_MAX_BYTES per upload at once",
    )
    s3_bucket: Annotated[str | None, AfterValidator(_s3_bucket)] = Field(
        default=None,
        validate_default=True,
        description="The bucket of the S3 image store; required with IMAGE_STORAGE=s3",
    )
    s3_prefix: str = Field(default="", description="A key prefix inside the bucket, e.g. byline/")
    s3_endpoint_url: str | None = Field(
        default=None, description="An S3-compatible server (MinIO, Ceph, R2...); unset, AWS itself"
    )
    s3_region: str | None = Field(default=None, description="The bucket's region")
    # The secret comes first so that the pair's check, on the key id, never has to show it.
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="The secret of S3_ACCESS_KEY_ID"
    )
    s3_access_key_id: Annotated[str | None, AfterValidator(_s3_access_key_id)] = Field(
        default=None,
        validate_default=True,
        description="Credentials for the S3 image store, with S3_SECRET_ACCESS_KEY; unset, "
        "boto3's usual chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, an instance or task role)",
    )
    image_max_bytes: int = Field(
        default=40 * 1024 * 1024, ge=1024, description="The largest image file an upload takes"
    )
    image_max_pixels: int = Field(
        default=100_000_000,
        ge=1,
        description="The most pixels (width times height) an upload may have; "
        "checked from the header, before decoding",
    )
    image_widths: Annotated[
        list[Annotated[int, Field(ge=16, le=8192)]],
        NoDecode,
        BeforeValidator(_listed),
        AfterValidator(_widths),
    ] = Field(
        default=[160, 320, 480, 640, 800, 1024, 1280, 1600, 2048],
        description="The rendition widths served, comma-separated; no other width is rendered",
    )
    image_ratios: Annotated[
        list[str], NoDecode, BeforeValidator(_listed), AfterValidator(_ratios)
    ] = Field(
        default=["1x1", "4x3", "16x9", "1.91x1"],
        description="The crops served besides the original shape, width x height",
    )
    image_memory_cache_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=0,
        description="Memory per worker for the renditions most asked for, each kept a "
        "minute; 0 turns it off",
    )
    image_processing_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Uploads and renditions decoded at once per worker; the rest wait. "
        "Bounds a worker's memory",
    )
    image_base_url: Annotated[str, AfterValidator(_origin)] | None = Field(
        default=None,
        description="Origin of the rendition URLs in documents, e.g. https://img.example.com "
        "(a CDN in front of this API); unset, PUBLIC_BASE_URL, else paths relative to the "
        "API. Baked into stored documents: after a change run `byline rebuild-documents`",
    )
    web_url_template: Annotated[str, AfterValidator(_web_url_template)] | None = Field(
        default=None,
        description="The address of an article's page on the publisher's site, for links.web "
        "in documents, e.g. https://www.example.com/{section}/{slug}; placeholders {slug}, "
        "{id}, {type}, {section} (the slug of the article's first section tag, else its "
        "type), {year}, {month}, {day} (of published_at, UTC). Unset, documents have no web "
        "link. Baked into stored documents: after a change run `byline rebuild-documents`",
    )
    public_base_url: Annotated[str, AfterValidator(_origin)] | None = Field(
        default=None,
        description="Origin for absolute links (Link headers), e.g. https://api.example.com; "
        "by default the request's own",
    )
    # Feeds: what a reader's feed list shows for the publication.
    site_name: str = Field(
        default="Byline",
        min_length=1,
        max_length=200,
        description="The publication's name: the title of its feeds",
    )
    site_url: Annotated[str, AfterValidator(_home_page)] | None = Field(
        default=None,
        description="The publication's home page, e.g. https://www.example.com/, linked from "
        "its feeds; unset, PUBLIC_BASE_URL, else the API's own origin",
    )
    site_language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$",
        max_length=16,
        description="The publication's language, an ISO 639 code such as en or pt-BR: the "
        "language Google News lists it under (the news sitemap)",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()


def setting_errors(error: ValidationError) -> list[str]:
    """One line per bad variable, named as it is set in the environment."""
    lines = []
    for problem in error.errors():
        if problem["type"] == "default_factory_not_called":
            continue  # A default derived from a bad setting, which has its own line.
        name = str(problem["loc"][0]).upper()
        lines.append(f"invalid setting {name}={_shown(problem['input'])}: {problem['msg']}")
    return lines


def _shown(value: object) -> str:
    """The value as set, with the password of a URL masked."""
    if not isinstance(value, str):
        return json.dumps(value, default=str)
    try:
        return make_url(value).render_as_string(hide_password=True) if "@" in value else value
    except ArgumentError:
        return value
