"""The `byline` command, which runs the API and looks after its database."""

import argparse
import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import version
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.auth.scopes import Scope
from app.config import get_settings, setting_errors
from app.db import create_db_engine
from app.errors import AppError
from app.logs import configure_logging, uvicorn_log_config
from app.progress import terminal_progress

SETTINGS_INVALID = 2


def _database_name(database_url: str) -> str:
    """The database as an operator can find it: an SQLite file by its absolute path,
    any password masked."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).absolute()))
    return url.render_as_string(hide_password=True)


def _announce_database(database_url: str) -> None:
    print(f"byline: database {_database_name(database_url)}", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    # The server logs JSON lines, so the database is named in one of them.
    configure_logging(settings.log_level)
    logging.getLogger("byline.cli").info(
        "serving database", extra={"fields": {"database": _database_name(settings.database_url)}}
    )
    workers = args.workers or settings.workers
    with contextlib.ExitStack() as stack:
        if workers > 1 and settings.prometheus_multiproc_dir is None:
            stack.enter_context(_metrics_shared_between_workers())
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.port,
            workers=workers,
            access_log=False,
            log_config=uvicorn_log_config(settings.log_level),
            log_level=settings.log_level,
            server_header=False,
            timeout_keep_alive=settings.keep_alive_seconds,
            limit_concurrency=settings.max_connections or None,
            timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
        )
    return 0


@contextlib.contextmanager
def _metrics_shared_between_workers() -> Iterator[None]:
    """A fresh directory where the workers started inside write their metric samples.

    It goes to the workers through the environment, because prometheus_client
    picks its storage when a process first imports it.
    """
    directory = tempfile.mkdtemp(prefix="byline-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(directory, ignore_errors=True)


def _migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    database_url = get_settings().database_url
    _announce_database(database_url)
    upgrade(database_url, args.revision)
    return 0


def _load_demo(session: Session) -> str:
    from app.demo.loader import ImageFiles, load_demo
    from app.media.storage import storage_from_settings

    settings = get_settings()
    media = storage_from_settings(settings)
    try:
        loaded = load_demo(session, ImageFiles.from_settings(settings, media))
    finally:
        media.close()
    return "demo content loaded" if loaded else "demo content already present"


def _rebuild_documents(session: Session) -> str:
    from app.documents.store import rebuild_all

    with terminal_progress("rebuilding documents") as progress:
        rebuilt = rebuild_all(session, progress=progress)
    return f"rebuilt documents for {rebuilt} articles"


def _article_count(text: str) -> int:
    from app.demo.bench_data import MAX_ARTICLES

    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= MAX_ARTICLES:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_ARTICLES:,}, not {count:,}")
    return count


def _bench_data(args: argparse.Namespace) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        from datetime import UTC, datetime

        from app.demo.bench_data import DEFAULT_SEED, generate

        seed = DEFAULT_SEED if args.seed is None else args.seed
        with terminal_progress("generating articles") as progress:
            made = generate(
                session,
                articles=args.articles,
                seed=seed,
                now=datetime.now(UTC),
                progress=progress,
            )
        sizes = made.sizes
        return (
            f"generated {sizes.articles} published articles (seed {seed}) with "
            f"{sizes.authors} authors, {sizes.officials} officials, "
            f"{sizes.institutions} institutions, {sizes.tags} tags, {made.images} images, "
            f"{sizes.quotes} quotes and {made.views} page views"
        )

    return work


def _create_token(args: argparse.Namespace) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        from app.auth.schemas import TokenCreate
        from app.auth.service import create_token

        data = TokenCreate(name=args.name, scopes=args.scope)
        token, secret = create_token(session, data=data, created_by="byline tokens create")
        return (
            f"token {token.id} {token.name!r} with {' '.join(token.scopes)}:\n{secret}\n"
            "It is shown only now; store it somewhere safe."
        )

    return work


def _list_tokens(session: Session) -> str:
    from app.auth.service import list_tokens

    lines = [
        f"{t.id}\t{t.name}\t{' '.join(t.scopes)}\t{t.prefix}...\t"
        f"{'revoked ' + t.revoked_at.isoformat() if t.revoked_at else 'active'}"
        for t in list_tokens(session)
    ]
    return "\n".join(["id\tname\tscopes\tprefix\tstate", *lines])


def _revoke_token(args: argparse.Namespace) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        from app.auth.service import revoke_token

        token = revoke_token(session, token_id=args.id)
        return f"token {token.id} {token.name!r} revoked"

    return work


def _compact_views(session: Session) -> str:
    from datetime import UTC, datetime, timedelta

    from app.popularity.service import compact_views

    settings = get_settings()
    with terminal_progress("folding hourly view counts") as progress:
        folded = compact_views(
            session,
            now=datetime.now(UTC),
            after_days=settings.compact_views_after_days,
            retention=timedelta(days=settings.view_retention_days),
            dedup=timedelta(minutes=settings.view_dedup_minutes),
            progress=progress,
        )
    return f"folded {folded} hourly view counts into daily ones"


def _in_transaction(work: Callable[[Session], str]) -> int:
    from app.documents.images import RenditionLinks, session_info
    from app.documents.web import WebLinks

    settings = get_settings()
    _announce_database(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        # Rebuilds, demo loads and imports render documents: with the server's links.
        info = session_info(
            RenditionLinks.from_settings(settings), WebLinks.from_settings(settings)
        )
        with Session(engine, info=info) as session:
            message = work(session)
            session.commit()
    except AppError as exc:
        print(f"byline: {exc.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    with contextlib.suppress(BrokenPipeError):  # `byline tokens list | head`
        print(message)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="byline",
        epilog="Settings come from the environment; `byline COMMAND --help` shows a command's "
        "options.",
    )
    parser.add_argument("--version", action="version", version=f"byline {version('byline')}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", help="default: HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: PORT or 8000")
    serve.add_argument("--workers", type=int, help="default: WORKERS or 1")
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database schema")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(run=_migrate)

    commands.add_parser("load-demo", help="load the demo newsroom (idempotent)").set_defaults(
        run=lambda _args: _in_transaction(_load_demo)
    )
    commands.add_parser(
        "rebuild-documents", help="re-render every published document from the tables"
    ).set_defaults(run=lambda _args: _in_transaction(_rebuild_documents))

    commands.add_parser(
        "compact-views", help="fold old hourly view counts into daily ones"
    ).set_defaults(run=lambda _args: _in_transaction(_compact_views))

    tokens = commands.add_parser("tokens", help="manage API tokens").add_subparsers(
        dest="tokens_command", required=True
    )
    create = tokens.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=[s.value for s in Scope],
        help="repeat for several scopes",
    )
    create.set_defaults(run=lambda args: _in_transaction(_create_token(args)))
    tokens.add_parser("list", help="list tokens").set_defaults(
        run=lambda _args: _in_transaction(_list_tokens)
    )
    revoke = tokens.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(run=lambda args: _in_transaction(_revoke_token(args)))

    bench_data = commands.add_parser(
        "bench-data",
        help="fill an empty database with a large generated newsroom for benchmarks",
    )
    bench_data.add_argument(
        "--articles", type=_article_count, required=True, help="how many published articles"
    )
    bench_data.add_argument(
        "--seed", type=int, help="the same seed and count give the same content (default: fixed)"
    )
    bench_data.set_defaults(run=lambda args: _in_transaction(_bench_data(args)))

    parser.description = f"{__doc__} Commands: {', '.join(commands.choices)}."
    args = parser.parse_args(argv)
    # Read once here, so a mistake is one line per variable, not a traceback from
    # whichever command or server worker reads settings first.
    try:
        get_settings()
    except ValidationError as error:
        for line in setting_errors(error):
            print(f"byline: {line}", file=sys.stderr)
        return SETTINGS_INVALID
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
