"""Logging set-up: the rotating file in the state dir, console levels, the ring buffer, and
uncaught exceptions (main thread and other threads) ending up in the log."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocr_desktop import logs, paths


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """setup_logging changes process-wide state; put it back for the next test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def read_log() -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return paths.log_file().read_text(encoding="utf-8")


def test_the_log_file_is_in_the_state_dir_and_gets_info(capsys: pytest.CaptureFixture[str]) -> None:
    used = logs.setup_logging(0)
    assert used == paths.log_file()
    assert used.parent == paths.state_dir()
    log = logging.getLogger("ocr_desktop.test")
    log.debug("debug detail")
    log.info("page %d read", 3)
    log.warning("memory is low")
    text = read_log()
    assert "INFO    [MainThread] ocr_desktop.test: page 3 read" in text
    assert "memory is low" in text
    assert "debug detail" not in text
    # the console shows warnings only
    err = capsys.readouterr().err
    assert "WARNING: memory is low" in err
    assert "page 3 read" not in err


def test_verbose_adds_info_then_debug_to_the_console(capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging(1)
    logging.getLogger("x").info("shown with -v")
    logging.getLogger("x").debug("only with -vv")
    err = capsys.readouterr().err
    assert "INFO: shown with -v" in err
    assert "only with -vv" not in err
    logs.setup_logging(2)
    logging.getLogger("x").debug("only with -vv")
    err = capsys.readouterr().err
    assert "DEBUG: only with -vv" in err
    assert "only with -vv" in read_log()


def test_setting_up_twice_does_not_duplicate_lines() -> None:
    logs.setup_logging(0)
    logs.setup_logging(0)
    logging.getLogger("x").warning("once")
    assert read_log().count("once") == 1


def test_the_ring_buffer_keeps_the_last_lines_and_tells_listeners() -> None:
    ring = logs.RingBuffer(capacity=3)
    ring.setFormatter(logging.Formatter("%(message)s"))
    seen: list[str] = []
    ring.add_listener(seen.append)
    log = logging.getLogger("ring-test")
    log.addHandler(ring)
    try:
        for i in range(5):
            log.warning("line %d", i)
        ring.remove_listener(seen.append)
        log.warning("after")
    finally:
        log.removeHandler(ring)
    assert ring.lines() == ["line 3", "line 4", "after"]
    assert seen == [f"line {i}" for i in range(5)]


def test_the_shared_ring_buffer_gets_what_setup_logging_logs() -> None:
    logs.setup_logging(0, console=False)
    logging.getLogger("ocr_desktop.pipeline").info("job 1 done")
    assert logs.ring_buffer().lines()[-1].endswith("ocr_desktop.pipeline: job 1 done")


def test_an_uncaught_exception_in_a_thread_is_logged_with_its_traceback() -> None:
    logs.setup_logging(0, console=False)

    def boom() -> None:
        raise ValueError("the page was not there")

    thread = threading.Thread(target=boom, name="ocr-page-7")
    thread.start()
    thread.join()
    text = read_log()
    assert "CRITICAL [ocr-page-7] ocr_desktop.logs: uncaught exception in thread ocr-page-7" in text
    assert "ValueError: the page was not there" in text
    assert "Traceback" in text


def test_an_uncaught_exception_in_the_main_thread_is_logged() -> None:
    logs.setup_logging(0, console=False)
    try:
        raise RuntimeError("worker exploded")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    text = read_log()
    assert "uncaught exception" in text
    assert "RuntimeError: worker exploded" in text


def test_an_unwritable_log_file_falls_back_to_the_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the log folder should be")
    assert logs.setup_logging(0, log_file=blocked / "ocr-desktop.log") is None
    err = capsys.readouterr().err
    assert "cannot be written" in err and "console only" in err
