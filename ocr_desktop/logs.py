"""Logging set-up for the CLI and the GUI: stdlib ``logging`` and nothing else.

- A rotating log file in the user state dir (``paths.log_file()``) gets INFO and up (DEBUG with
  ``-v``), with thread names: the pipeline works on several threads.
- The console (stderr) gets warnings, or INFO with ``-v`` and DEBUG with ``-vv``.
- A ring buffer keeps the last lines for the GUI's log view; listeners added to it see every new
  line (on the logging thread: a GUI re-posts them to its main thread).
- Uncaught exceptions in any thread are logged with their traceback instead of dying silently;
  the GUI puts its error dialog on top of these hooks.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from ocr_desktop import paths

FILE_FORMAT = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"
CONSOLE_FORMAT = "%(levelname)s: %(message)s"
MAX_LOG_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 3
RING_LINES = 1000

log = logging.getLogger(__name__)

LineListener = Callable[[str], None]


class RingBuffer(logging.Handler):
    """The last ``capacity`` formatted log lines, for an in-app log view."""

    def __init__(self, capacity: int = RING_LINES) -> None:
        super().__init__(logging.INFO)
        self._lines: deque[str] = deque(maxlen=capacity)
        self._listeners: list[LineListener] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(line)

    def lines(self) -> list[str]:
        with self._guard:
            return list(self._lines)

    def add_listener(self, listener: LineListener) -> None:
        with self._guard:
            self._listeners.append(listener)

    def remove_listener(self, listener: LineListener) -> None:
        with self._guard:
            if listener in self._listeners:
                self._listeners.remove(listener)


_ring = RingBuffer()
_installed: list[logging.Handler] = []


def ring_buffer() -> RingBuffer:
    """The ring buffer every :func:`setup_logging` call feeds."""
    return _ring


def setup_logging(verbosity: int = 0, *, log_file: Path | None = None, console: bool = True) -> Path | None:
    """Configure the root logger; safe to call again (replaces what an earlier call installed).

    Returns the log file in use, or None when it could not be opened (a warning says why).
    """
    root = logging.getLogger()
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    root.setLevel(logging.DEBUG)

    _ring.setFormatter(logging.Formatter(FILE_FORMAT))
    _installed.append(_ring)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(
            logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
        )
        stream.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        _installed.append(stream)
    path = log_file or paths.log_file()
    used: Path | None = path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", errors="backslashreplace"
        )
    except OSError as exc:
        warning = (
            f"the log file {path} cannot be written ({exc.strerror or exc}); logging to the console only"
        )
        used = None
    else:
        warning = ""
        file_handler.setLevel(logging.DEBUG if verbosity >= 1 else logging.INFO)
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        _installed.append(file_handler)
    for handler in _installed:
        root.addHandler(handler)
    if warning:
        log.warning("%s", warning)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    return used


def _log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "unknown"
    log.critical(
        "uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
    )
