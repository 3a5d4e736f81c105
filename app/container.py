"""What the app holds, built once per app, and the one way a request reaches it.

`create_app` builds one `Services` and attaches it to the app; routes and
dependencies read it with `services(request)`, so go-to-definition leads from a
route to the object it uses. Core modules (db, http, pagination, metrics) never
read it: their callers pass them what they need.
"""

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Depends
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from app.clock import Clock
from app.config import Settings
from app.db import WRITE_OPTION, DatabaseLimits, create_db_engine
from app.documents.driver import DriverReads
from app.documents.images import RenditionLinks, session_info
from app.documents.reader import DocumentReader
from app.documents.summaries import SummaryReader
from app.documents.web import WebLinks
from app.http import PublicHeaders
from app.media.cache import CachedReads
from app.media.probe import UploadLimits
from app.media.renditions import RenditionRules
from app.media.storage import Storage, storage_from_settings
from app.pool_metrics import watch_pool
from app.popularity.ranking import PageCache, RankingCache
from app.popularity.stores import ViewStore, view_store
from app.ratelimit import RateLimiter, management_limiter

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    clock: Clock
    # The primary: writes, management and auth reads, anything that must see its own writes.
    engine: Engine
    # Public reads: the replica of DATABASE_READ_URL, or else the primary itself.
    read_engine: Engine
    # A few dedicated threads for reads; see public_read_in_thread.
    read_executor: ThreadPoolExecutor
    # The hot public reads, on the database driver itself, on the read engine.
    driver: DriverReads
    documents: DocumentReader
    summaries: SummaryReader
    public_headers: PublicHeaders
    views: ViewStore
    # Page-view beacons, and every /v1/manage request.
    rate_limiter: RateLimiter
    manage_rate_limiter: RateLimiter
    rankings: RankingCache
    popular_pages: PageCache
    # Image files: originals and renditions, what an upload may be, what is rendered.
    media: Storage
    upload_limits: UploadLimits
    rendition_rules: RenditionRules
    # What the documents rendered in this app's sessions link renditions with.
    rendition_links: RenditionLinks
    # ...and articles' pages on the publisher's site.
    web_links: WebLinks
    # Decoding is the memory-hungry step: uploads and renditions past this many wait.
    image_work: threading.BoundedSemaphore

    def close(self) -> None:
        self.driver.close()
        self.read_executor.shutdown()
        self.manage_rate_limiter.close()
        self.media.close()
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def database_engines(settings: Settings, limits: DatabaseLimits) -> tuple[Engine, Engine]:
    """The primary's engine and the public reads' engine: the same object without a replica."""
    primary = create_db_engine(settings.database_url, limits=limits)
    if settings.database_read_url is None:
        return primary, primary
    return primary, create_db_engine(settings.database_read_url, limits=limits)


# A rendition is tens of kilobytes; an entry past this would crowd out many others.
CACHED_FILE_BYTES = 1024 * 1024
CACHED_SECONDS = 60.0


def media_store(settings: Settings) -> Storage:
    """The image store, with the renditions most asked for kept in memory in front."""
    store = storage_from_settings(settings)
    if settings.image_memory_cache_bytes == 0:
        return store
    return CachedReads(
        store,
        max_bytes=settings.image_memory_cache_bytes,
        max_file_bytes=CACHED_FILE_BYTES,
        seconds=CACHED_SECONDS,
    )


def build_services(settings: Settings, *, clock: Clock) -> Services:
    limits = DatabaseLimits.from_settings(settings)
    engine, read_engine = database_engines(settings, limits)
    watch_pool(engine)
    driver = DriverReads(read_engine, limits=limits)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        read_engine=read_engine,
        read_executor=ThreadPoolExecutor(settings.read_threads, thread_name_prefix="byline-read"),
        driver=driver,
        documents=DocumentReader(driver),
        summaries=SummaryReader(driver),
        public_headers=PublicHeaders.from_settings(settings),
        views=view_store(settings, engine),
        rate_limiter=RateLimiter(settings.views_per_minute_per_client, clock),
        manage_rate_limiter=management_limiter(settings, clock),
        rankings=RankingCache(read_engine, settings.popular_cache_seconds),
        popular_pages=PageCache(settings.popular_cache_seconds),
        media=media_store(settings),
        upload_limits=UploadLimits.from_settings(settings),
        rendition_rules=RenditionRules.from_settings(settings),
        rendition_links=RenditionLinks.from_settings(settings),
        web_links=WebLinks.from_settings(settings),
        image_work=threading.BoundedSemaphore(settings.image_processing_concurrency),
    )


def attach_services(app: Starlette, held: Services) -> None:
    app.state.services = held


def services_of(app: Starlette) -> Services:
    held: Services = app.state.services
    return held


def services(request: HTTPConnection) -> Services:
    """The app's services: an attribute read, cheap enough for the hottest route."""
    return services_of(request.app)


async def get_now(request: HTTPConnection) -> datetime:
    return services(request).clock()


def open_session(held: Services, engine: Engine | None = None) -> Session:
    """A session on the primary (or `engine`), rendering documents with the app's links."""
    return Session(
        engine or held.engine,
        expire_on_commit=False,
        info=session_info(held.rendition_links, held.web_links),
    )


def get_session(request: HTTPConnection) -> Iterator[Session]:
    """One session, one transaction per request; services never commit."""
    with open_session(services(request)) as session:
        yield session


def get_write_session(request: HTTPConnection) -> Iterator[Session]:
    """A session whose transaction is meant to write: one commit, by the route."""
    with open_session(services(request)) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        yield session


async def public_read_in_thread(request: HTTPConnection, work: Callable[[Session], T]) -> T:
    """Run a public read, with a session of its own, in one hop to the read threads,
    on the read replica when there is one: readers may trail a save by its lag.

    A sync session dependency and a sync route take three hops through the
    shared 40-thread pool (open, run, close). Under load those threads fight
    for the GIL, and a list cost 2.7 ms of CPU. A few dedicated threads and one
    hop halve that; a read holds no lock while it waits for a thread.
    """
    held = services(request)
    return await _in_read_thread(held, held.read_engine, work)


async def read_in_thread(request: HTTPConnection, work: Callable[[Session], T]) -> T:
    """Run a read as `public_read_in_thread` does, on the primary: for what must see the
    latest writes, such as a token just created or revoked."""
    held = services(request)
    return await _in_read_thread(held, held.engine, work)


async def _in_read_thread(held: Services, engine: Engine, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with open_session(held, engine) as session:
            return work(session)

    return await asyncio.get_running_loop().run_in_executor(held.read_executor, run)


Now = Annotated[datetime, Depends(get_now)]
SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
