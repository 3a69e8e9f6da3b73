"""Log lines for people (`log_format = "text"`) or one JSON object per line for a log collector ("json").

A JSON line has `time` (ISO 8601, UTC), `level`, `logger`, `message`, `pid`, `exception` (the traceback, when
there is one), and on uvicorn's access lines `client`, `method`, `path`, `status` and `duration_ms`
(from the request's arrival to its response starting, which is when uvicorn writes the line; measured
by sns.metrics.RequestMetrics, which the app sets up to note the start when the format is JSON).

`sns serve` hands `uvicorn_log_config(settings)` to uvicorn (each worker configures itself from it);
any other long-running command (`sns jobs`) calls `configure(settings)` once at its start.
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import datetime, timezone
from time import perf_counter
from typing import Any

from sns.metrics import request_started
from sns.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_LOGGER = "uvicorn.access"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback is a field, its newlines escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker (`sns serve --workers N`)
        }
        if record.name == ACCESS_LOGGER:
            line.update(access_fields(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def access_fields(record: logging.LogRecord) -> dict[str, Any]:
    """uvicorn's access record carries (client, method, path, http version, status) as its arguments."""
    args = record.args if isinstance(record.args, tuple) else ()
    if len(args) != 5:
        return {}
    client, method, path, _, status = args
    fields: dict[str, Any] = {"client": client, "method": method, "path": path, "status": status}
    started = request_started.get(None)
    if started is not None:
        fields["duration_ms"] = round((perf_counter() - started) * 1000, 3)
    return fields


def _formatter(settings: Settings) -> dict[str, Any]:
    if settings.log_format == "json":
        return {"()": "sns.logs.JsonFormatter"}
    return {"format": TEXT_FORMAT}


def configure(settings: Settings, level: str = "INFO") -> None:
    """Logging for a command that runs for long (`sns jobs`): every logger's lines to standard error, in the
    chosen format."""
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": _formatter(settings)},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
    })


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's `log_config`: its own default for text; for JSON, the same loggers (and the site's own,
    through the root logger) writing JSON lines, so no line of the server is anything else."""
    from uvicorn.config import LOGGING_CONFIG

    if settings.log_format != "json":
        return LOGGING_CONFIG
    json_formatter = {"()": "sns.logs.JsonFormatter"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": json_formatter, "access": json_formatter},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "INFO"},
    }
