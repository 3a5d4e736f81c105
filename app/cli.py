"""The `byline` command: serve, migrate, load-demo, rebuild-documents."""

import argparse
import sys
from collections.abc import Callable, Sequence

from sqlmodel import Session

from app.config import get_settings
from app.db import create_db_engine


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        access_log=False,
        log_level=settings.log_level,
        server_header=False,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    upgrade(get_settings().database_url, args.revision)
    return 0


def _load_demo(session: Session) -> str:
    from app.demo.loader import load_demo

    return "demo content loaded" if load_demo(session) else "demo content already present"


def _rebuild_documents(session: Session) -> str:
    from app.documents.store import rebuild_all

    return f"rebuilt documents for {rebuild_all(session)} articles"


def _in_transaction(work: Callable[[Session], str]) -> int:
    engine = create_db_engine(get_settings().database_url)
    with Session(engine) as session:
        message = work(session)
        session.commit()
    engine.dispose()
    print(message)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="byline", description=__doc__)
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

    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
