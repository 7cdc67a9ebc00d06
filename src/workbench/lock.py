"""One run per client at a time: a lock on ``<out_dir>/<client>/.run.lock``.

The operating system's lock (``flock``) is the truth. The system releases it when the
holding process ends, however it ends (SIGKILL, a crash), so a killed run never blocks the
next one. The lock file also holds a small JSON record of who holds it -- pid,
host, start time, staging folder, and the time by which the holder's own limits say it must
be done -- so a refused run can name the run it waits for, and a run that finds the record
of a holder that died without releasing the lock can say whose lock it took over.

On a folder shared between machines (NFS) the lock of a host that crashed can outlive it
until the file server notices. A lock held from another host past the time its holder
declared is taken to be such a leftover, and broken.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from .exceptions import LockedError

LOCK_NAME = ".run.lock"

#: How long to wait for a holder that has just taken the lock to write its record.
_RECORD_WAIT_SECONDS = 1.0
_POLL_SECONDS = 0.05


@dataclasses.dataclass(frozen=True)
class Holder:
    """Who holds (or held) a client's lock, as its record says.

    Examples
    --------
    >>> t = dt.datetime(2026, 11, 2, 6, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    >>> Holder(4242, "build-1", t, t + dt.timedelta(hours=2), "reports/acme/.x.partial").describe()
    'pid 4242 on build-1, started 2026-11-02 06:00:01+02:00, building reports/acme/.x.partial'
    """

    pid: int
    host: str
    started: dt.datetime
    expires: dt.datetime
    staging: str | None = None

    def describe(self) -> str:
        """The holder in a few words, for a message or the run log."""
        doing = f"building {self.staging}" if self.staging else "reading the data"
        started = self.started.isoformat(sep=" ", timespec="seconds")
        return f"pid {self.pid} on {self.host}, started {started}, {doing}"

    def to_json(self) -> str:
        """The record as the lock file holds it."""
        return json.dumps({
            "pid": self.pid, "host": self.host, "started": self.started.isoformat(),
            "expires": self.expires.isoformat(), "staging": self.staging,
        })

    @classmethod
    def from_json(cls, text: str) -> Holder | None:
        """The record, or ``None`` when it is empty or half written."""
        try:
            d = json.loads(text)
            return cls(int(d["pid"]), str(d["host"]), dt.datetime.fromisoformat(d["started"]),
                       dt.datetime.fromisoformat(d["expires"]), d.get("staging"))
        except (ValueError, KeyError, TypeError):
            return None


@dataclasses.dataclass(frozen=True)
class Takeover:
    """A lock taken over from a holder that did not release it."""

    holder: Holder
    reason: str

    def __str__(self) -> str:
        return f"took over the lock of the run by {self.holder.describe()}: {self.reason}"


class ClientLock:
    """The lock on one client's report folder, held from :meth:`acquire` to :meth:`release`.

    Attributes
    ----------
    path : Path
        The lock file.
    taken_over : Takeover or None
        Set when the lock was taken over from a run that ended without releasing it.

    Examples
    --------
    >>> lock = ClientLock.acquire(Path("/tmp/reports/acme"), expires_in=dt.timedelta(hours=3))  # doctest: +SKIP
    >>> try:
    ...     ...  # the run
    ... finally:
    ...     lock.release()  # doctest: +SKIP
    """

    def __init__(self, path: Path, fd: int, holder: Holder, created: list[Path],
                 taken_over: Takeover | None) -> None:
        self.path = path
        self.taken_over = taken_over
        self._fd = fd
        self._held = True
        self._holder = holder
        self._created = created

    @classmethod
    def acquire(cls, folder: Path, *, expires_in: dt.timedelta) -> ClientLock:
        """Take the lock of ``folder`` (made if missing) or fail at once.

        Parameters
        ----------
        folder : Path
            The client's report folder, ``<out_dir>/<client>``.
        expires_in : timedelta
            How long this run can take at most under its own limits: after that, a run on
            another host may take the lock as a leftover of a crashed machine.

        Raises
        ------
        LockedError
            When another run holds the lock: one line naming it.
        OSError
            When the folder or the lock file cannot be made or written.
        """
        path = folder / LOCK_NAME
        now = dt.datetime.now().astimezone()
        me = Holder(os.getpid(), socket.gethostname(), now, now + expires_in)
        created: list[Path] = []
        broken: Holder | None = None
        waited_since = time.monotonic()
        try:
            # A pass that neither returns nor raises follows a change another run made
            # meanwhile (a release, a folder removed, a lock just taken): it ends when they do.
            while True:
                try:
                    _make_folders(folder, created)
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                except FileNotFoundError:  # a run that made nothing removed a folder meanwhile
                    continue
                kept = False
                try:
                    if _try_lock(fd):
                        # A releasing run unlinks the file before it lets go of the lock, so
                        # a lock on a file no longer at `path` is worth nothing: start again.
                        if not _is_at(path, fd):
                            continue
                        previous = _read(fd)
                        _write(fd, me)
                        kept = True
                        return cls(path, fd, me, created, _takeover(previous, broken))
                    holder = _read(fd)
                    if holder is not None and _left_by_crashed_host(holder, me.host):
                        _unlink_if_same(path, fd)
                        broken = holder
                        continue
                    if holder is None and time.monotonic() - waited_since < _RECORD_WAIT_SECONDS:
                        time.sleep(_POLL_SECONDS)  # it has just taken the lock and is writing its record
                        continue
                    raise LockedError(_busy(folder, path, holder))
                finally:
                    if not kept:
                        os.close(fd)
        except BaseException:
            _remove_empty(created)
            raise

    def note_staging(self, staging: Path) -> None:
        """Record the run's staging folder, so a refused run can name it."""
        self._holder = dataclasses.replace(self._holder, staging=str(staging))
        _write(self._fd, self._holder)

    def release(self) -> None:
        """Let go of the lock and remove the folders :meth:`acquire` made, when still empty."""
        if not self._held:
            return
        # A file left behind (the unlink failing) only costs the next run a note in its log.
        with contextlib.suppress(OSError):
            _unlink_if_same(self.path, self._fd)
        os.close(self._fd)
        self._held = False
        _remove_empty(self._created)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _left_by_crashed_host(holder: Holder, host: str) -> bool:
    """A lock held from another host past its holder's own limits: that host crashed and the
    file server has not noticed. On this host the system's lock is never stale."""
    return holder.host != host and dt.datetime.now().astimezone() > holder.expires


def _takeover(previous: Holder | None, broken: Holder | None) -> Takeover | None:
    """What to note about the holder before this run, if there was one.

    A record in a lock the kernel let go of is a run that died holding it; a lock broken
    on the way here is a crashed host's.
    """
    if previous is not None:
        return Takeover(previous, "it ended without releasing it")
    if broken is not None:
        until = broken.expires.isoformat(sep=" ", timespec="seconds")
        return Takeover(broken, f"its host still held it, past the time the run's own limits allow ({until})")
    return None


def _busy(folder: Path, path: Path, holder: Holder | None) -> str:
    who = holder.describe() if holder else f"its record in {path} cannot be read"
    return (f"{folder}: another run of this client is in progress ({who}). Fix: let it finish, then "
            "run again (exit code 75 tells a scheduler to retry later)")


def _make_folders(folder: Path, created: list[Path]) -> None:
    """Make ``folder`` and its missing parents, adding each made to ``created``."""
    missing = []
    d = folder
    while not d.exists():
        missing.append(d)
        d = d.parent
    for d in reversed(missing):
        d.mkdir(exist_ok=True)
        created.append(d)


def _remove_empty(created: list[Path]) -> None:
    # A run that made nothing leaves no folder behind; one that made a report (or another
    # run's report landed meanwhile) leaves the folder as it is: rmdir only removes an empty one.
    for d in reversed(created):
        with contextlib.suppress(OSError):
            d.rmdir()


def _read(fd: int) -> Holder | None:
    return Holder.from_json(os.pread(fd, 1 << 16, 0).decode("utf-8", errors="replace"))


def _write(fd: int, holder: Holder) -> None:
    data = holder.to_json().encode("utf-8")
    # Emptied first: a run reading meanwhile finds no record (and waits for one), never a
    # mix of the old record and the new.
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _is_at(path: Path, fd: int) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _unlink_if_same(path: Path, fd: int) -> None:
    # Only the file this descriptor has: a run that broke a stale lock has put a new one there.
    if _is_at(path, fd):
        os.unlink(path)
