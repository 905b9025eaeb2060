"""``ocr-desktop ocr`` tells the whole truth: every path given or found has a row (read, failed with
the reason, or skipped with the reason), names are shown as text, damaged pages are reported, and
a rerun leaves up-to-date outputs alone. Real subprocesses on real files made here; the reads use
the real llama.cpp runtime with the generated test model."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocr_desktop import paths
from ocr_desktop import settings as settings_mod
from ocr_desktop.backends.base import BackendState
from ocr_desktop.cli.ocr import _ProgressListener
from ocr_desktop.cli.terminal import shown
from ocr_desktop.settings import Settings
from tests.fixtures.damaged import LETTER, ZERO_BOX, raw_pdf, text_page
from tests.fixtures.files import make_image, make_pdf
from tests.test_cli import FAST, ocr_desktop

#: The summary's header line when the output is not a terminal (tests capture it: not one).
PLAIN_HEADER = "Document\tStatus\tPages\tFailed\ttok/s\tTime\tOutput"


def summary_rows(stdout: str) -> dict[str, list[str]]:
    """The summary's rows by document. Not on a terminal (as here) the summary is tab-separated
    lines after its header, every cell whole; a terminal's table is read too: a long Output
    cell wraps onto table lines whose other cells are empty, and those are joined to their row."""
    rows: dict[str, list[str]] = {}
    lines = stdout.splitlines()
    if PLAIN_HEADER in lines:
        for line in lines[lines.index(PLAIN_HEADER) + 1 :]:
            cells = line.split("\t")
            if len(cells) != 7:
                break  # the totals follow the rows
            rows[cells[0]] = cells[1:]
        return rows
    last: list[str] = []
    for line in lines:
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if cells[0]:
            last = rows[cells[0]] = cells[1:]
        else:
            last[:] = [f"{a} {b}".strip() for a, b in zip(last, cells[1:], strict=True)]
    return rows


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def odd_folder(tmp_path: Path) -> Path:
    """A folder of awkward names and entries, as users have them."""
    folder = tmp_path / "inbox"
    make_image(folder / "report [draft].png", "Draft")
    make_image(folder / "two\nlines.png", "Newline")
    make_image(folder / "esc\x1b[31mred.png", "Escape")
    (folder / "notes.txt").write_text("not a document", encoding="utf-8")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "gone.png").symlink_to(tmp_path / "deleted.png")
    make_image(folder / ".hidden.png", "Hidden")
    return folder


def test_every_path_has_a_row_and_names_are_text(tmp_path: Path) -> None:
    # GIVEN a folder of awkward names, a folder with nothing in it, a file given twice, and
    # settings naming a model that does not exist (every read fails: no model is needed here)
    configured = Settings().with_value("llamacpp.model_path", str(tmp_path / "nowhere.gguf"))
    settings_mod.save(configured)
    folder = odd_folder(tmp_path)
    (tmp_path / "nothing").mkdir()
    # WHEN they are all given
    proc = ocr_desktop("ocr", str(folder), str(tmp_path / "nothing"), str(folder / "report [draft].png"))
    # THEN the status says something failed
    assert proc.returncode == 1
    rows = summary_rows(proc.stdout)
    # AND every path has a row, the failed ones and the skipped ones with the reason
    assert {name: cells[0] for name, cells in rows.items()} == {
        "inbox/.hidden.png": "skipped",
        "inbox/empty.pdf": "skipped",
        "inbox/esc\\x1b[31mred.png": "failed",
        "inbox/gone.png": "skipped",
        "inbox/notes.txt": "skipped",
        "inbox/report [draft].png": "failed",
        "inbox/two\\nlines.png": "failed",
        "nothing/": "skipped",
        "report [draft].png": "skipped",
    }
    assert rows["inbox/.hidden.png"][-1] == "hidden file"
    assert rows["inbox/empty.pdf"][-1] == "empty (0 bytes)"
    assert rows["inbox/gone.png"][-1].startswith("dangling link (points to")
    assert rows["inbox/notes.txt"][-1] == "not a document (a text file)"
    assert rows["nothing/"][-1] == "empty folder"
    assert rows["report [draft].png"][-1].startswith("duplicate of ")
    assert "6 skipped, 3 failed" in proc.stdout
    # AND the failures give the reason, with names as written: no markup read, no raw escape
    assert "inbox/report [draft].png: model file not found" in proc.stdout
    assert "inbox/two\\nlines.png: model file not found" in proc.stdout
    assert "\x1b" not in proc.stdout and "\x1b" not in proc.stderr
    assert "esc\\x1b[31mred.png (failed)" in proc.stderr  # the progress rows too


def test_only_skipped_paths_is_an_error_with_every_reason(tmp_path: Path) -> None:
    folder = tmp_path / "nothing to read"
    (folder / "readme.txt").parent.mkdir()
    (folder / "readme.txt").write_text("hello", encoding="utf-8")
    proc = ocr_desktop("ocr", str(folder))
    assert proc.returncode == 1
    assert summary_rows(proc.stdout) == {
        "nothing to read/readme.txt": ["skipped", "–", "–", "–", "–", "not a document (a text file)"]
    }
    assert "no documents found" in proc.stderr


def test_every_settings_problem_is_listed_at_once(tmp_path: Path) -> None:
    # GIVEN a settings file with two bad values and an unknown key
    paths.settings_file().write_text(
        "backend = 'ollama'\n[documents]\ndpi = 'lots'\ncolour = 'red'\n", encoding="utf-8"
    )
    # WHEN a run is also given two bad flags THEN all four are named, with their keys, and it stops
    pdf = make_pdf(tmp_path / "a.pdf", 1)
    proc = ocr_desktop("ocr", str(pdf), "--dpi", "10", "--format", "docx")
    assert proc.returncode == 2
    assert (
        "--dpi: setting 'documents.dpi': 10 is below the minimum 50 — use a whole number from 50"
        in proc.stderr
    )
    assert "--format: setting 'export.formats': 'docx' is not one of" in proc.stderr
    assert "settings: setting 'backend': 'ollama' is not one of 'llamacpp', 'vllm'" in proc.stderr
    assert "settings: setting 'documents.dpi': 'lots' is not a valid int" in proc.stderr
    assert "settings: unknown setting 'documents.colour'" in proc.stderr
    # AND doctor lists the same file problems at once
    doctor = ocr_desktop("doctor")
    assert "NO  settings file" in doctor.stdout and "3 problem(s)" in doctor.stdout


def test_the_backend_start_draws_one_live_line_not_a_scroll() -> None:
    # GIVEN the progress display, on a console as a terminal draws it
    from rich.console import Console
    from rich.progress import Progress, TextColumn

    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=100)
    progress = Progress(TextColumn("{task.description}", markup=False), console=console, auto_refresh=False)
    listener = _ProgressListener(progress, store=None)  # type: ignore[arg-type]  # backend events only
    # WHEN a server start reports 117 times, as vLLM's did over two starts, then is ready
    with progress:
        for second in range(117):
            listener.backend_state_changed(BackendState.LOADING, f"starting vLLM… {second / 2:.1f} s")
            progress.refresh()
        assert len(progress.tasks) == 1  # one line, replaced each time
        listener.backend_state_changed(BackendState.READY, "vLLM ready in 58.5 s")
    # THEN what stays on the screen is one line saying it is ready, and no line per report
    printed = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.getvalue())
    kept = [line for line in printed.replace("\r", "\n").splitlines() if line.strip()]
    assert kept.count("vLLM ready in 58.5 s") == 1
    assert progress.tasks == []
    assert output.getvalue().count("\n") <= 3, "each report must redraw the line, not add one"


def test_shown_makes_control_characters_visible() -> None:
    assert shown("a\nb\tc\x1b[2Jd\u202ee") == "a\\nb\\tc\\x1b[2Jd\\u202ee"
    assert shown(os.fsdecode(b"r\xe9sum\xe9 [x].pdf")) == "r\ufffdsum\ufffd [x].pdf"


# -- real reads ----------------------------------------------------------------------------------


@pytest.fixture
def real_backend(llamacpp_settings: Settings) -> Settings:
    configured = llamacpp_settings.with_value("generation.max_tokens", 16)
    settings_mod.save(configured)
    return configured


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.llamacpp
def test_rerun_overwrite_and_changed_settings(
    real_backend: Settings, tmp_path: Path, umask_022: None
) -> None:
    # GIVEN two documents read into a folder
    docs = tmp_path / "docs"
    make_pdf(docs / "letter.pdf", 2)
    make_image(docs / "note [1].png", "Note one")
    out = tmp_path / "out"
    run = ("ocr", str(docs), *FAST, "--format", "md,txt", "--out", str(out))
    first = ocr_desktop(*run)
    assert first.returncode == 0, first.stdout + first.stderr
    assert files_in(out) == ["letter.md", "letter.txt", "note [1].md", "note [1].txt"]
    assert {(out / name).stat().st_mode & 0o777 for name in files_in(out)} == {0o644}  # the umask's
    rows = summary_rows(first.stdout)
    assert rows["docs/note [1].png"][0] == "read"
    assert str(out / "note [1].md") in rows["docs/note [1].png"][-1]
    inodes = {name: (out / name).stat().st_ino for name in files_in(out)}

    # WHEN the same command runs again THEN nothing is read or written, and it says so
    again = ocr_desktop(*run)
    assert again.returncode == 0, again.stdout + again.stderr
    assert files_in(out) == list(inodes)
    assert {name: (out / name).stat().st_ino for name in files_in(out)} == inodes
    assert "files: 0 written, 4 up to date" in again.stdout
    assert "Every output was already up to date" in again.stdout
    assert summary_rows(again.stdout)["docs/letter.pdf"][0] == "read earlier"
    # (exports beside the documents would be found by the walk, and named as what they are)
    beside = ocr_desktop("ocr", str(docs), *FAST, "--format", "md")
    again_beside = ocr_desktop("ocr", str(docs), *FAST, "--format", "md")
    assert beside.returncode == again_beside.returncode == 0, again_beside.stdout
    assert summary_rows(again_beside.stdout)["docs/letter.md"] == [
        "skipped", "–", "–", "–", "–", "an export of an earlier run (not read)",
    ]  # fmt: skip
    for name in ("letter.md", "note [1].md"):
        (docs / name).unlink()
    assert "(up to date)" in summary_rows(again.stdout)["docs/letter.pdf"][-1]

    # WHEN --overwrite is given THEN the four files are written afresh, still four
    forced = ocr_desktop(*run, "--overwrite")
    assert forced.returncode == 0, forced.stderr
    assert "files: 4 written, 0 up to date" in forced.stdout
    assert files_in(out) == list(inodes)
    assert all((out / name).stat().st_ino != inode for name, inode in inodes.items())

    # WHEN a setting that changes the text changes (page separators off) THEN the files are rewritten
    settings_mod.save(real_backend.with_value("export.page_separators", False))
    changed = ocr_desktop(*run)
    assert changed.returncode == 0, changed.stderr
    assert "files: 4 written, 0 up to date" in changed.stdout
    assert files_in(out) == list(inodes)
    assert "--- Page 1 ---" not in (out / "letter.txt").read_text(encoding="utf-8")

    # WHEN the reading settings change (another pixel budget) THEN the documents are read again
    # and their files replaced: still four files, never a numbered copy
    reread = ocr_desktop("ocr", str(docs), "--max-pixels", "50176", "--dpi", "50", "--format", "md,txt",
                         "--out", str(out))  # fmt: skip
    assert reread.returncode == 0, reread.stderr
    assert summary_rows(reread.stdout)["docs/letter.pdf"][0] == "read again (max_pixels 25088 → 50176)"
    assert files_in(out) == list(inodes)

    # WHEN a file of that name is the user's THEN it is kept and the document's row says why
    (out / "letter.md").write_text("my notes", encoding="utf-8")
    kept = ocr_desktop(*run)
    assert kept.returncode == 1
    assert "letter.md already exists and was not written by OCR Desktop" in kept.stdout
    assert (out / "letter.md").read_text(encoding="utf-8") == "my notes"
    # AND numbered copies are written only when asked for
    numbered = ocr_desktop(*run[:-4], "--format", "md", "--out", str(out), "--numbered")
    assert numbered.returncode == 0, numbered.stdout
    assert files_in(out) == ["letter (2).md", *list(inodes)]


@pytest.mark.llamacpp
def test_a_damaged_pdf_fails_instead_of_reading_nothing(real_backend: Settings, tmp_path: Path) -> None:
    # GIVEN a PDF of 0×0 pt pages (py-pdf-style damage), and one with a good, a blank and a 0×0 page
    damaged = raw_pdf(tmp_path / "damaged.pdf", [ZERO_BOX, ZERO_BOX])
    mixed = raw_pdf(tmp_path / "mixed.pdf", [LETTER, LETTER, ZERO_BOX], [text_page("Hello there"), b""])
    # WHEN both are read
    proc = ocr_desktop("ocr", str(damaged), str(mixed), *FAST, "--format", "txt")
    # THEN the run fails, and says which pages and why
    assert proc.returncode == 1
    rows = summary_rows(proc.stdout)
    assert rows["damaged.pdf"][0] == "failed"
    assert rows["mixed.pdf"][:3] == ["partly read", "1/3", "2"]
    assert (
        "damaged.pdf: damaged.pdf is a damaged PDF: every page has an empty page box (0×0 pt)" in proc.stdout
    )
    assert "mixed.pdf page 2: page 2 of mixed.pdf is blank" in proc.stdout
    assert "mixed.pdf page 3: page 3 of mixed.pdf has an empty page box (0×0 pt)" in proc.stdout
    # AND no text was saved for the damaged file; the good page of the other one is exported
    assert not (tmp_path / "damaged.txt").exists()
    assert "--- Page 1 ---" in (tmp_path / "mixed.txt").read_text(encoding="utf-8")


def test_the_summary_off_a_terminal_prints_every_name_and_path_whole(tmp_path: Path) -> None:
    # GIVEN a folder with a document of a long name, in a deep folder, an empty subfolder and an
    # empty folder inside another; settings naming a model that does not exist (reads fail fast)
    settings_mod.save(Settings().with_value("llamacpp.model_path", str(tmp_path / "nowhere.gguf")))
    folder = tmp_path / "archive"
    long_name = "a scanned letter from the county records office about the boundary " * 2 + "1987.png"
    deep = folder / "1987" / "correspondence" / "incoming"
    make_image(deep / long_name, "Letter")
    (folder / "empty box").mkdir()
    (folder / "shelf" / "nothing here").mkdir(parents=True)
    # WHEN the folder is read with the output going to a pipe (not a terminal), 80 columns wide
    proc = subprocess.run(
        [sys.executable, "-m", "ocr_desktop", "ocr", str(folder), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    # THEN every row holds its names whole: the long document name and its folder path
    rows = summary_rows(proc.stdout)
    document = f"archive/1987/correspondence/incoming/{long_name}"
    assert document in rows, proc.stdout
    assert rows[document][0] == "failed"
    # AND the empty subfolders have their rows, as a folder given empty has
    assert rows["archive/empty box/"] == ["skipped", "–", "–", "–", "–", "empty folder"]
    assert rows["archive/shelf/nothing here/"][-1] == "empty folder"
    # AND no line was cut or wrapped at 80 columns
    assert any(len(line) > 80 for line in proc.stdout.splitlines())
    assert f"{document}: model file not found" in proc.stdout
