"""Structured logs: one JSON object per line on stderr."""

import asyncio
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


_ACCESS = logging.getLogger("byline.access")
# The stream handlers configure_logging installed, for access_log.
_handlers: list[logging.StreamHandler[Any]] = []


class _Pending:
    """Access lines waiting for the end of the event loop's turn.

    A write to stderr is a system call per line, which under load costs a stored
    article request a fifth of its time; the lines of the requests finished in one
    turn of the loop go out together at its end instead.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        # The loop that will write them: a loop that ended before its turn did (a test
        # client's, say) must not leave the lines waiting for nobody.
        self.scheduled_on: asyncio.AbstractEventLoop | None = None

    def add(self, line: str) -> None:
        self.lines.append(line)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop, as in a command: write now
            self.flush()
            return
        if self.scheduled_on is not loop:
            self.scheduled_on = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled_on = None
        if not self.lines:
            return
        text, self.lines = "".join(self.lines), []
        for handler in _handlers:
            handler.acquire()
            try:
                handler.stream.write(text)
                handler.flush()
            finally:
                handler.release()


_pending = _Pending()


def access_log(request_id: str, method: str, path: str, status: int, seconds: float) -> None:
    """The line every request writes, in JsonFormatter's shape at a fraction of its cost.

    A LogRecord, its formatting and the handler chain cost more than serving a stored
    article, so the line goes straight to the handlers' streams, with the others of
    its loop turn.
    """
    if not _ACCESS.isEnabledFor(logging.INFO):
        return
    line = orjson.dumps(
        {
            "time": datetime.now(UTC).isoformat(),
            "level": "info",
            "logger": _ACCESS.name,
            "message": "request",
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        },
        option=orjson.OPT_APPEND_NEWLINE,
    ).decode()
    _pending.add(line)


def flush_access_log() -> None:
    """Write the lines still waiting, as the server stops."""
    _pending.flush()


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("byline")
    root.handlers[:] = [handler]
    _handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's own lines (startup, shutdown, errors, access lines if turned on) in
    the same JSON as the app's, so whatever reads the logs parses one format."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # By name: with several workers the config travels to each worker process.
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
    }
