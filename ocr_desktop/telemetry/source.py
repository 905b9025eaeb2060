"""What every telemetry source is: open, read a partial sample, close, and say why it can't.

A source never raises out of ``open``: it records whether it is available and, if not, the
reason a person can act on ("jtop: The jtop.service is not active. Please run: sudo jtop
--install-service"). ``read`` may raise; the sampler then closes the source, keeps the reason
and falls back to the next source.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, NamedTuple

log = logging.getLogger(__name__)


class SourceUnavailableError(Exception):
    """A source cannot measure anything here. ``permanent``: retrying will not help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class SourceReading(NamedTuple):
    values: dict[str, Any]  # Reading field name -> value in normalized units
    missing: dict[str, str]  # field this source measures elsewhere but not now -> why


class Source:
    """Base of the sources: subclasses set ``name`` and ``fields`` and implement ``_open``/``read``."""

    name: ClassVar[str]
    fields: ClassVar[frozenset[str]]  # Reading fields this source can measure when available

    def __init__(self) -> None:
        self.available = False
        self.reason: str | None = "not opened yet"
        self.permanent = False

    def open(self) -> None:
        """Connect; afterwards ``available`` says whether it worked and ``reason`` why not."""
        try:
            self._open()
        except SourceUnavailableError as exc:
            self.fail(str(exc), permanent=exc.permanent)
        else:
            self.available, self.reason, self.permanent = True, None, False
            log.info("telemetry source %s is available", self.name)

    def fail(self, reason: str, *, permanent: bool = False) -> None:
        """Mark the source unavailable with the reason shown for the values it would give."""
        self.available, self.reason, self.permanent = False, f"{self.name}: {reason}", permanent
        log.info("telemetry source unavailable — %s", self.reason)

    def _open(self) -> None:
        """Raise SourceUnavailableError when this machine lacks the source."""

    def read(self) -> SourceReading:
        raise NotImplementedError

    def close(self) -> None:
        """Release what ``_open`` took. Safe to call when not open."""
