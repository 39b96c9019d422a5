"""structlog setup: JSON off a terminal, request ids bound via contextvars, secrets and PII redacted.

One policy for every log line, whoever writes it: our structlog loggers and every stdlib logger
(httpx, httpcore, uvicorn, procrastinate, SQLAlchemy, asyncio...) go through the same processors.
`redact` drops fields by key at any depth; `scrub` then rewrites every string value (the message,
the rendered traceback, nested values) so that credentials and buyer contact data written *inside*
text never reach the output: query-string and JSON credentials, Authorization headers, our API
tokens, Fernet ciphertexts, argon2 hashes, e-mail addresses, phone numbers and the parameters
SQLAlchemy appends to an error.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

REDACTED = "[redacted]"

# Keys whose values are never logged: credentials and buyer PII.
_SENSITIVE = re.compile(
    r"(pass(word)?|secret|token|authorization|cookie|csrf|api[_-]?key|partner[_-]?key|sign(ature)?$"
    r"|^code$|phone|e-?mail|address|buyer|recipient|customer[_-]?name|full[_-]?name|^name$)",
    re.IGNORECASE,
)


# Credential names as they appear in URLs, headers, JSON and form bodies written into a message.
_CREDENTIAL_NAMES = (
    r"access_token|refresh_token|id_token|client_secret|app_secret|partner_key|api_key|password"
    r"|sign|signature|authorization|x-tts-access-token|x-auth-token|cookie|set-cookie|code|token|secret"
)
_SCRUBBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    # SQLAlchemy's "[parameters: ...]" block (engines also hide them; belt and braces).
    (re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL), "[parameters: [redacted]]"),
    # Authorization: Bearer xyz / Basic xyz, as a header line or a repr'd header pair.
    (
        re.compile(
            r"""((?:authorization|proxy-authorization)['"]?\s*[:=,]\s*['"]?)"""
            r"""(?!\[redacted\])[\w-]+ [^\s'",&}\]]+""",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
    # name=value (query strings, forms) and "name": "value" (JSON), for every credential name.
    (
        re.compile(
            rf"""((?<![\w-])(?:[A-Za-z]+-)*(?:{_CREDENTIAL_NAMES})['"]?\s*(?:=|:\s*)['"]?)(?!\[redacted\])[^\s&'",;}}\]]+""",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"aio_[A-Za-z0-9]{22}_[A-Za-z0-9_\-]+"), REDACTED),  # our API tokens
    (re.compile(r"gAAAAA[A-Za-z0-9_\-]{20,}={0,2}"), REDACTED),  # Fernet ciphertexts
    (re.compile(r"\$argon2(?:id|i|d)\$[^\s'\")]+"), REDACTED),  # password hashes
    (re.compile(r"[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"), "[email]"),
    (re.compile(r"(?<![\w+])\+\d[\d \-.]{6,18}\d(?![\w])"), "[phone]"),  # +62 812-..., +628...
    (re.compile(r"(?<![\w.:/\-])0[1-9]\d{7,11}(?![\w.:\-])"), "[phone]"),  # 0812..., 012...
)


def scrub_text(text: str) -> str:
    """Removes credentials, hashes, e-mail addresses and phone numbers written inside free text."""
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def scrub(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: scrub every string value, the message and rendered tracebacks included."""
    for key in list(event_dict):
        event_dict[key] = _scrub_value(event_dict[key])
    return event_dict


def _redact_value(key: str, value: Any) -> Any:
    if _SENSITIVE.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v) for v in value]
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: drop secrets and PII from every field, at any depth."""
    for key in list(event_dict):
        if key == "event":
            continue
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, except that a failure to write says so without dumping the record's raw arguments
    (logging's default prints them: a URL with its access token, an SQL statement's values)."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802  (logging's name)
        if logging.raiseExceptions and sys.stderr is not None:
            exc = sys.exc_info()[1]
            sys.stderr.write(f"--- Logging error in {record.name}: {type(exc).__name__} ---\n")


def configure_logging(level: str = "INFO", json_logs: bool | None = None, *, libraries: str = "INFO") -> None:
    """Our log lines at `level`; the job queue's (procrastinate) at `libraries` or above (the CLI keeps
    them to warnings unless asked with -v)."""
    if json_logs is None:
        json_logs = not sys.stderr.isatty()
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json_logs
        # Plain tracebacks: rich ones print local variables, which may hold secrets and PII.
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        # A line below the level is dropped first, before the processors (contextvars, timestamp,
        # redaction) spend anything on it: a request's info line at the ERROR level cost as much as
        # storing a webhook did.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            scrub,  # after the traceback is text, before anything is written
            renderer,
        ],
    )
    handler = _Handler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Uvicorn's access log carries full URLs; our own request log line replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # /readyz reads the revision on every probe
    # Every library logs through the root handler above, so through the same processors.
    for name in list(logging.root.manager.loggerDict) + ["uvicorn", "uvicorn.error", "procrastinate"]:
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("procrastinate").setLevel(libraries.upper())
    logging.captureWarnings(True)
