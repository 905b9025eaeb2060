"""Atomic file writes: a reader sees the old file or the new one, never half of either, and a
process killed mid-write leaves no partial file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import tempfile
from pathlib import Path

#: errno values of an ``O_TMPFILE`` open that mean "not supported here" (file system or kernel).
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL}


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` can only be read by setting it,
    which would race with other threads creating files)."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc (not Linux): the classic read-by-setting, set straight back
    os.umask(mask)
    return mask


#: The longest file name (bytes) of the file systems the app writes to (ext4, btrfs, XFS, tmpfs).
NAME_MAX = 255


def name_max(folder: Path) -> int:
    """The longest file name ``folder``'s file system holds, in bytes (255 where it cannot say)."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return NAME_MAX


def fit_name(name: str, limit: int) -> str:
    """``name`` if its UTF-8 form is at most ``limit`` bytes, else cut at a character boundary
    to fit with a "…" marking the cut."""
    data = name.encode("utf-8", "surrogateescape")
    if len(data) <= limit:
        return name
    mark = "…"
    cut = _cut_utf8(data[: max(0, limit - len(mark.encode()))])
    return cut.decode("utf-8", "surrogateescape").rstrip() + mark


def _temp_name(path: Path, token: str) -> str:
    """The hidden temporary name beside ``path``: ``.<name>.<token>.tmp``, with the name cut so
    the whole fits in a file name. Not cut, the 14 added bytes made a name of 242-255 bytes,
    which the file system itself holds, impossible to write (an 80-character Chinese name)."""
    room = NAME_MAX - len(f"..{token}.tmp")
    return f".{os.fsdecode(_cut_utf8(os.fsencode(path.name)[:room]))}.{token}.tmp"


def _cut_utf8(name: bytes) -> bytes:
    """``name`` without a UTF-8 character cut in half at its end (other bytes are kept as they are)."""
    for back in range(1, min(4, len(name)) + 1):
        lead = name[-back]
        if lead >= 0xC0:  # a lead byte: is its character complete?
            need = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            return name if back >= need else name[:-back]
        if lead < 0x80:
            break
    return name


def _write_and_sync(fd: int, payload: bytes, mode: int) -> None:
    os.fchmod(fd, mode)
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _write_anonymous(path: Path, payload: bytes, mode: int) -> bool:
    """Write through an unnamed ``O_TMPFILE`` inode that gets a name only once it is complete:
    killed at any point before, the kernel frees it and nothing is left in the folder. False
    where the file system or kernel has no ``O_TMPFILE`` (nothing written then)."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return False
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, 0o600)
    except OSError as exc:
        if exc.errno in _NO_TMPFILE:
            return False
        raise
    try:
        _write_and_sync(fd, payload, mode)
        named = path.with_name(_temp_name(path, secrets.token_hex(4)))
        # Naming an O_TMPFILE inode needs linkat(AT_EMPTY_PATH) (privileged) or linkat of its
        # /proc/self/fd entry with AT_SYMLINK_FOLLOW; os.link uses linkat (not link, which would
        # link the /proc symlink itself) only when given a directory fd, hence src_dir_fd.
        try:
            proc_fds = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False  # no /proc here: written again the classic way
        try:
            os.link(str(fd), named, src_dir_fd=proc_fds, follow_symlinks=True)
        finally:
            os.close(proc_fds)
    finally:
        os.close(fd)
    try:
        named.replace(path)
    except BaseException:
        named.unlink(missing_ok=True)
        raise
    return True


def write_atomic(path: Path, data: str | bytes, *, encoding: str = "utf-8", mode: int | None = None) -> Path:
    """Write ``data`` to a file beside ``path``, fsync it, then rename it over ``path``.

    The file gets ``mode`` if given, else the mode of the file it replaces, else what ``open()``
    would give a new file (0666 less the umask): ``mkstemp`` alone would make every file 0600.
    The data is written into an unnamed file (``O_TMPFILE``) where the file system has them, so
    even SIGKILL leaves no partial file; elsewhere into a hidden ``.name.*.tmp`` that is removed
    on any error. Either way, if anything fails (a full disk, a permission error), the previous
    ``path`` is left as it was and the OSError propagates to the caller.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
    if _write_anonymous(path, payload, mode):
        return path
    prefix = _temp_name(path, "XXXXXXXX")[: -len("XXXXXXXX.tmp")]
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        try:
            _write_and_sync(fd, payload, mode)
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
