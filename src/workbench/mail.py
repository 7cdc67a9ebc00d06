"""Read a client's e-mail export (mbox or Maildir) as canonical interactions.

Many small firms keep no contact log: their customer relationships live in the mailbox.
This module turns an export of it into rows of the ``interactions`` table. It reads

- an **mbox** file (Thunderbird, Google Takeout, Apple Mail, mutt), also gzipped
  (``.mbox.gz``), through :class:`mailbox.mbox`;
- a **Maildir** folder (Dovecot, offlineimap, mbsync): the message files in its ``cur/``
  and ``new/``, and in those of its Maildir++ subfolders (``.Sent/``, ``.Archive/``).

Each message gives one row per account it was exchanged with:

==============  ===========================================================================
account_id      the account of the counterpart (see *Matching*)
ts              the ``Date`` header in UTC (a date without a zone, ``-0000``, is UTC)
channel         ``email``
direction       ``out`` when the sender is the client's own (``client.domains``,
                ``client.addresses``), else ``in``
interaction_id  the ``Message-ID`` (shared by the rows of one message sent to two accounts)
thread_id       the root of the ``References`` / ``In-Reply-To`` chain (followed through the
                messages of the export), else the message's own ``Message-ID``; the subject
                (``Re:``, ``VS:``, ``Fwd:`` … stripped) only for a message with none of them
handled_by      the own-side address: the sender of outbound mail, the first own recipient
                (To, then Cc) of inbound mail; the team member instead when the team table
                has one named as the address, its display name or its local part
                (``hilkka.hakala@…`` and *Hakala Hilkka* are *Hilkka Hakala*)
subject         the decoded ``Subject``
==============  ===========================================================================

Only headers are read. Bodies and attachments are never parsed, kept or logged: they are
personal data the analysis does not need. Headers are parsed by :mod:`email` with
``email.policy.default``, which also decodes subjects and display names (RFC 2047 words
such as ``=?iso-8859-1?q?P=E4iv=E4=E4?=``); undeclared 8-bit bytes from old mail programs
are read as UTF-8, else cp1252. Addresses come from :func:`email.utils.getaddresses` and
are compared in lower case; dates from :func:`email.utils.parsedate_to_datetime`.

Matching
--------
The counterparts are the sender of inbound mail and the To and Cc recipients of outbound
mail that are not the client's own. Each is matched, first hit wins,

1. by address, to the account whose ``email`` cell lists it (a cell may hold several
   addresses, separated by commas or semicolons);
2. by domain, to the account whose ``domain`` cell lists the address's domain or a parent
   of it (``mail.kone.example`` matches ``kone.example``). Free-mail and consumer-ISP
   domains (:data:`FREE_MAIL_DOMAINS`) are never matched by domain: their users are
   anyone's customers.

An address or domain listed for two accounts matches neither (it cannot say which); the
note names it and the accounts. An inbound message whose sender matches no account is
matched by its ``Reply-To`` (web forms send from a fixed address on behalf of the
customer). An outbound message to two accounts gives one row for each.

Left out, each counted in a note (``Portfolio.notes``) with examples and the fix
---------------------------------------------------------------------------------
- messages without a readable ``Date`` or sender, and those dated before 1990 (a mail
  client's clock was reset: the note gives the day they claim),
  naming the file, the message's number (mbox) or file (Maildir) and its ``Message-ID``;
  one unreadable message never fails the import;
- the second and further copies of a message (same ``Message-ID``, sender and date: the
  copy in Sent and the one a colleague received);
- automatic mail: auto-replies (``Auto-Submitted``, ``X-Autoreply``), bulk and list mail
  (``Precedence: bulk``, ``List-Id``, ``List-Unsubscribe``) -- an out-of-office reply is not
  the customer chasing;
- internal mail: sent to the client's own addresses only (or to no visible recipient, Bcc);
- messages that match no account; the note names the most frequent domains so the
  consultant can complete ``accounts.domain`` or ``accounts.email``.

Input is only ever read: mbox files are opened by :class:`mailbox.mbox`, which never
writes unless messages are added or removed (nothing here does), and a gzipped mbox is
unpacked into a temporary file.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import mailbox
import re
import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import IO

import pandas as pd

from .exceptions import InputError, ParamsError
from .formatting import plural
from .portfolio import SourceFile

__all__ = [
    "FREE_MAIL_DOMAINS", "MAIL_HEADERS", "MAIL_SUFFIXES", "MailLog", "is_mail_source",
    "is_maildir", "normalize_domain", "read_mail",
]

#: Domains whose users are private persons: never matched to an account by domain alone
#: (put such a customer's address in ``accounts.email``), and refused as ``client.domains``.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.fi", "live.com",
    "msn.com", "yahoo.com", "icloud.com", "me.com", "aol.com", "gmx.com", "proton.me",
    "protonmail.com",
    # Finnish free mail and consumer internet providers
    "luukku.com", "suomi24.fi", "elisanet.fi", "kolumbus.fi", "saunalahti.fi", "pp.inet.fi",
})

#: File names read as mbox (case-insensitive); other names are recognised by content.
MAIL_SUFFIXES: tuple[str, ...] = (".mbox", ".mbx", ".mbox.gz", ".mbx.gz")

#: The header each canonical column comes from (for the loader's messages and ``absent``).
MAIL_HEADERS: dict[str, str] = {
    "account_id": "From/To/Cc", "ts": "Date", "channel": "(e-mail)", "direction": "From",
    "interaction_id": "Message-ID", "handled_by": "From/To/Cc",
    "thread_id": "References/In-Reply-To", "subject": "Subject",
}

_PARSER = BytesParser(policy=policy.default)
_MAX_HEADER_BYTES = 1 << 20  # a header block larger than this is not mail
_SURROGATES = re.compile("[\udc80-\udcff]")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|vs|vl|sv|aw|wg|tr|vb)\s*(?:\[\d+\])?\s*:\s*)+",
                           re.IGNORECASE)
_DOMAIN_OK = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")  # before e-mail was business: a broken clock
_EXAMPLES = 3


# --------------------------------------------------------------------------- public API


@dataclass
class MailLog:
    """The interactions read from an e-mail export, ready for the loader.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``_file`` (the mbox file or Maildir folder), ``_row`` (the message's number in
        it, from 1), then ``account_id, ts, channel, direction, interaction_id,
        handled_by, thread_id, subject`` typed as :mod:`workbench.load` types them.
    sources : list of SourceFile
        One per mbox file or Maildir folder, with its checksum and the rows it gave.
    notes : list of str
        What was left out or decided, one plain sentence each.
    """

    frame: pd.DataFrame
    sources: list[SourceFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_maildir(path: Path) -> bool:
    """Whether ``path`` is a Maildir folder: it has a ``cur/`` or a ``new/`` subfolder.

    (Zip tools drop empty folders, so an export may lack ``tmp/`` or ``new/``.)

    Examples
    --------
    >>> is_maildir(Path("data/sample"))
    False
    """
    return path.is_dir() and ((path / "cur").is_dir() or (path / "new").is_dir())


def is_mail_source(path: Path) -> bool:
    """Whether ``path`` is read as e-mail: a Maildir folder, or an mbox file.

    An mbox is recognised by its name (:data:`MAIL_SUFFIXES`) or, for a file without one
    (Thunderbird keeps ``Inbox`` and ``Sent`` without a suffix), by its first line
    starting with ``From``.

    Examples
    --------
    >>> is_mail_source(Path("data/sample/interactions.csv"))
    False
    """
    if path.is_dir():
        return is_maildir(path)
    name = path.name.lower()
    if name.endswith(MAIL_SUFFIXES):
        return True
    if Path(name.removesuffix(".gz")).suffix:
        return False  # a known or unknown table format: the loader says which
    try:
        with path.open("rb") as f:
            return f.read(5) == b"From "
    except OSError:
        return False


def normalize_domain(text: str) -> str | None:
    """A domain as written in a register, or an address's domain, in comparable form.

    Lower case, without a scheme, ``www.``, path, ``@`` or trailing dot; international
    names in their ASCII (punycode) form. ``None`` when ``text`` is not a domain.

    Examples
    --------
    >>> normalize_domain("https://www.Kone.Example/yhteystiedot")
    'kone.example'
    >>> normalize_domain("info@Mail.Kone.Example."), normalize_domain("Kone Oy")
    ('mail.kone.example', None)
    """
    t = text.strip().lower()
    t = re.sub(r"^[a-z][a-z0-9+.-]*://", "", t)
    t = t.split("/", 1)[0].rsplit("@", 1)[-1].strip().strip(".")
    t = t.removeprefix("www.")
    if not t.isascii():
        try:
            t = t.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return t if _DOMAIN_OK.fullmatch(t) else None


def read_mail(
    paths: Sequence[Path],
    accounts: pd.DataFrame,
    *,
    own_domains: Sequence[str],
    own_addresses: Sequence[str] = (),
    team: pd.DataFrame | None = None,
    accounts_file: str = "accounts",
) -> MailLog:
    """Read mbox files and Maildir folders into interaction rows matched to accounts.

    Parameters
    ----------
    paths : sequence of Path
        mbox files (``.mbox``, ``.mbx``, ``.mbox.gz``, or any file starting ``From``)
        and Maildir folders; a message in several of them counts once.
    accounts : pandas.DataFrame
        The canonical accounts table; its ``domain`` and ``email`` columns match mail to
        accounts (see the module docstring).
    own_domains : sequence of str
        The client's own e-mail domains (subdomains included): ``params.client.domains``.
    own_addresses : sequence of str
        The client's own addresses on other domains (``params.client.addresses``).
    team : pandas.DataFrame, optional
        The canonical team table; own addresses are named by its members where it can.
    accounts_file : str
        How to name the accounts file in messages.

    Returns
    -------
    MailLog
        The rows, one :class:`SourceFile` per path, and the notes.

    Raises
    ------
    ParamsError
        Neither ``own_domains`` nor ``own_addresses`` is given.
    InputError
        A path cannot be read or holds no e-mail; accounts has no ``domain`` or ``email``
        to match by; or not one message matches an account.

    Examples
    --------
    >>> import mailbox
    >>> from email.message import EmailMessage
    >>> folder = Path(tempfile.mkdtemp())
    >>> box = mailbox.mbox(folder / "interactions.mbox")
    >>> msg = EmailMessage()
    >>> msg["From"], msg["To"] = "Matti <matti@kone.example>", "anna@acme.example"
    >>> msg["Date"], msg["Subject"] = "Mon, 3 Mar 2025 09:05:00 +0200", "Tarjous"
    >>> msg["Message-ID"] = "<1@kone.example>"
    >>> _ = box.add(msg); box.close()
    >>> accounts = pd.DataFrame({"account_id": ["A1"], "name": ["Kone Oy"],
    ...                          "domain": ["kone.example"], "email": [None]})
    >>> log = read_mail([folder / "interactions.mbox"], accounts, own_domains=["acme.example"])
    >>> log.frame[["account_id", "ts", "direction", "handled_by", "thread_id"]].to_dict("records")
    [{'account_id': 'A1', 'ts': Timestamp('2025-03-03 07:05:00+0000', tz='UTC'), \
'direction': 'in', 'handled_by': 'anna@acme.example', 'thread_id': '1@kone.example'}]
    """
    names = [p.name for p in paths]
    own = _OwnSide.build(own_domains, own_addresses, names)
    directory = _Directory.build(accounts, accounts_file)
    read: list[_Message] = []
    skipped: list[_Skip] = []
    digests: dict[str, tuple[Path, str]] = {}
    for path in paths:
        before = len(read) + len(skipped)
        for item in _read_source(path):
            (read if isinstance(item, _Message) else skipped).append(item)
        if len(read) + len(skipped) == before:
            raise _not_mail_error(path)
        digests[path.name] = (path, source_digest(path))
    messages, duplicates = _dedupe(read)
    log = _Classifier(own, directory)
    for msg, thread in zip(messages, _threads(messages)):
        log.add(msg, thread)
    label = _label(names)
    if not log.rows:
        raise _nothing_matched(label, len(messages), skipped, log)
    frame = log.frame(team)
    counts = frame["_file"].value_counts()
    sources = [SourceFile(table="interactions", path=path, sha256=sha,
                          rows=int(counts.get(name, 0))) for name, (path, sha) in digests.items()]
    notes = [*_skip_notes(skipped), *_duplicate_notes(duplicates, label),
             *directory.notes, *log.notes(label, own), *_member_notes(log, team)]
    return MailLog(frame=frame, sources=sources, notes=notes)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Address:
    addr: str  # lower case
    name: str = ""  # display name

    @property
    def domain(self) -> str:
        return self.addr.rsplit("@", 1)[1]


@dataclass(frozen=True)
class _Message:
    """The header facts of one message; nothing of its body."""

    file: str
    number: int  # position in its file or folder, from 1
    where: str
    message_id: str | None
    ts: pd.Timestamp
    sender: _Address
    reply_to: tuple[_Address, ...]
    recipients: tuple[_Address, ...]  # To, then Cc
    parent: str | None  # References[0], else In-Reply-To
    subject: str | None
    automated: bool


@dataclass(frozen=True)
class _Skip:
    """A message left out before matching, and why."""

    file: str
    where: str
    message_id: str | None
    reason: str  # "date", "early" (before 1990), "sender" or "unreadable"
    detail: str = ""


def _read_source(path: Path) -> Iterator[_Message | _Skip]:
    if is_maildir(path):
        yield from _read_maildir(path)
    elif path.is_dir():
        raise InputError(
            file=path.name, problem="this folder is not a Maildir (it has no cur/ or new/ "
            "subfolder)", fix="point data.tables.interactions.file at the mbox file or the "
            "Maildir folder itself (the one holding cur/ and new/)")
    else:
        yield from _read_mbox(path)


def _read_mbox(path: Path) -> Iterator[_Message | _Skip]:
    try:
        with _open_mbox(path) as box:
            for i, key in enumerate(box.iterkeys(), 1):
                with box.get_file(key) as fp:
                    head = _header_block(fp)
                yield _parse(path.name, i, f"message {i}", head)
    except OSError as e:
        raise _unreadable(path, e) from None


@contextmanager
def _open_mbox(path: Path) -> Iterator[mailbox.mbox]:
    """:class:`mailbox.mbox` over the file, or over a temporary copy unpacked from gzip."""
    if not path.name.lower().endswith(".gz"):
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            yield box
        finally:
            box.close()
        return
    with tempfile.TemporaryDirectory(prefix="workbench-mail-") as tmp:
        plain = Path(tmp) / "mailbox"
        try:
            with gzip.open(path, "rb") as src, plain.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise InputError(file=path.name, problem=f"not a readable gzip file ({e})",
                             fix="compress the mbox again, or store it uncompressed") from None
        box = mailbox.mbox(plain, factory=None, create=False)
        try:
            yield box
        finally:
            box.close()


def _maildir_files(root: Path) -> list[Path]:
    """Message files of a Maildir and its Maildir++ subfolders, in a stable order.

    Read directly rather than through :class:`mailbox.Maildir`, which refuses a folder
    whose empty ``new/`` a zip tool dropped and lists messages in no particular order.
    """
    folders = [root, *sorted(p for p in root.iterdir() if p.name.startswith(".") and is_maildir(p))]
    files: list[Path] = []
    for folder in folders:
        for sub in ("cur", "new"):
            d = folder / sub
            if d.is_dir():
                files += sorted(p for p in d.iterdir()
                                if p.is_file() and not p.name.startswith("."))
    return files


def _read_maildir(root: Path) -> Iterator[_Message | _Skip]:
    try:
        files = _maildir_files(root)
        for i, file in enumerate(files, 1):
            with file.open("rb") as fp:
                head = _header_block(fp)
            yield _parse(root.name, i, str(file.relative_to(root)), head)
    except OSError as e:
        raise _unreadable(root, e) from None


def _header_block(fp: IO[bytes] | Iterable[bytes]) -> bytes:
    """The bytes up to the blank line that ends the headers; the body is never read."""
    lines: list[bytes] = []
    size = 0
    for line in fp:
        if line in (b"\n", b"\r\n"):
            break
        lines.append(line)
        size += len(line)
        if size > _MAX_HEADER_BYTES:
            break
    return b"".join(lines)


def source_digest(path: Path) -> str:
    """sha256 of an mbox file, or of a Maildir's message files (names and contents)."""
    h = hashlib.sha256()
    files = _maildir_files(path) if path.is_dir() else [path]
    try:
        for f in files:
            if path.is_dir():
                h.update(str(f.relative_to(path)).encode() + b"\0")
            with f.open("rb") as fp:
                for chunk in iter(lambda: fp.read(1 << 20), b""):
                    h.update(chunk)
    except OSError as e:
        raise _unreadable(path, e) from None
    return h.hexdigest()


def _unreadable(path: Path, e: OSError) -> InputError:
    return InputError(file=path.name, problem=f"cannot be read ({e.strerror or e})",
                      fix="check that the mail program is closed and that you may read the "
                      "file or folder")


def _not_mail_error(path: Path) -> InputError:
    """Why a file holds no messages, in the words of what it looks like instead."""
    if path.is_dir():
        return InputError(file=path.name, problem="the Maildir folder holds no messages "
                          "(its cur/ and new/ are empty)",
                          fix="export the mailbox again, or remove the folder")
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as e:
        return _unreadable(path, e)
    if path.name.lower().endswith(".gz"):
        try:
            head = gzip.decompress(head) if len(head) < 4096 else head
        except (EOFError, zlib.error, gzip.BadGzipFile):
            pass
    if not head.strip():
        looks = "the file is empty"
    elif head.startswith(b"PK\x03\x04"):
        looks = "it is a zip file (unpack it first)"
    elif b"\x00" in head:
        looks = "it holds binary data, not mail"
    elif re.match(rb"(?i)(return-path|received|from|date|message-id|subject|to|mime-version):",
                  head.lstrip()):
        looks = "it looks like a single message (.eml), not a mailbox"
    else:
        first = head.lstrip().splitlines()[0][:40].decode("utf-8", "replace")
        looks = f"it starts with {first!r}"
    return InputError(
        file=path.name,
        problem="holds no e-mail messages: an mbox file starts with a line 'From …', and "
        + looks,
        fix="export the mail folder again as mbox (Thunderbird: ImportExportTools NG; Gmail: "
        "Google Takeout) or as a Maildir folder, or point data.tables.interactions.file at "
        "the right file",
    )


# --------------------------------------------------------------------------- parsing


def _parse(file: str, number: int, where: str, head: bytes) -> _Message | _Skip:
    try:
        return _parse_headers(file, number, where, _PARSER.parsebytes(head, headersonly=True))
    except Exception as e:  # noqa: BLE001 - one malformed message must not stop the import;
        # the email package raises assorted types on broken headers. It is counted in a note.
        return _Skip(file, where, None, "unreadable", f"{type(e).__name__}: {e}")


def _parse_headers(file: str, number: int, where: str, msg: EmailMessage) -> _Message | _Skip:
    h = _headers(msg)
    ids = _ids(_first(h.get("message-id", [])))
    message_id = ids[0] if ids else None
    date_text = _first(h.get("date", []))
    written = _written(date_text)
    ts = _utc(written) if written is not None else None
    # A readable date, only a wrong one (also one too early for pandas, e.g. year 1601):
    # the note gives the day the sender's clock showed, so the consultant can tell a
    # reset clock from an export that lost its dates.
    if written is not None and (ts < _EARLIEST if ts is not None else written.year < _EARLIEST.year):
        return _Skip(file, where, message_id, "early", written.date().isoformat())
    if ts is None:
        return _Skip(file, where, message_id, "date", date_text[:40])
    senders = _addresses(h.get("from", [])) or _addresses(h.get("sender", []))
    if not senders:
        return _Skip(file, where, message_id, "sender", _first(h.get("from", []))[:40])
    refs = _ids(" ".join(h.get("references", [])))
    replied = _ids(" ".join(h.get("in-reply-to", [])))
    return _Message(
        file=file, number=number, where=where, message_id=message_id, ts=ts,
        sender=senders[0], reply_to=tuple(_addresses(h.get("reply-to", []))),
        recipients=tuple(_addresses(h.get("to", []) + h.get("cc", []))),
        parent=refs[0] if refs else replied[0] if replied else None,
        subject=_decoded(_first(h.get("subject", []))) or None, automated=_automated(h),
    )


def _headers(msg: EmailMessage) -> dict[str, list[str]]:
    """Every header's values as written, unfolded, by lower-case name.

    Structural headers (addresses, ids, dates) are read from this text; only what people
    read -- subjects and display names -- is decoded (:func:`_decoded`). Decoding every
    header through the policy's parsers took three times as long on a large mailbox.
    """
    out: dict[str, list[str]] = {}
    for key, raw in msg.raw_items():
        if _SURROGATES.search(raw):
            # Undeclared 8-bit text from an old mail program: UTF-8 if it is, else cp1252.
            data = raw.encode("ascii", "surrogateescape")
            try:
                raw = data.decode("utf-8")
            except UnicodeDecodeError:
                raw = data.decode("cp1252", errors="replace")
        out.setdefault(key.lower(), []).append(" ".join(raw.split()))
    return out


def _decoded(text: str) -> str:
    """RFC 2047 encoded words (``=?iso-8859-1?q?P=E4iv=E4=E4?=``) decoded by the policy."""
    if "=?" not in text:
        return text
    return " ".join(str(policy.default.header_fetch_parse("Subject", text)).split())


def _first(values: list[str]) -> str:
    return values[0] if values else ""


def _ids(text: str) -> list[str]:
    """Message ids in a header, without angle brackets (a bare id is taken as it is)."""
    found = _MSG_ID.findall(text)
    if not found and text.strip() and len(text.split()) == 1:
        found = [text.strip()]
    return found


def _addresses(values: list[str]) -> list[_Address]:
    out = []
    for name, addr in getaddresses(values):
        addr = addr.strip().strip("<>").lower()
        local, _, domain = addr.rpartition("@")
        norm = normalize_domain(domain) if local else None
        if norm:
            out.append(_Address(f"{local}@{norm}", _decoded(" ".join(name.split()))))
    return out


def _written(text: str) -> dt.datetime | None:
    """The ``Date`` header as an aware datetime in the sender's zone; ``None`` when unreadable."""
    text = text.strip()
    if not text:
        return None
    try:
        when: dt.datetime | None = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        when = None
    if when is None:
        try:  # scripts sometimes write ISO 8601; only with its offset is it an instant
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if when.tzinfo is None:
            return None
    if when.tzinfo is None:  # "-0000": the time is UTC, the sender's zone unknown (RFC 5322)
        when = when.replace(tzinfo=dt.timezone.utc)
    return when


def _utc(when: dt.datetime) -> pd.Timestamp | None:
    """An aware datetime as a UTC instant; ``None`` when pandas cannot hold it.

    A date before 1990 is returned as it is: the caller leaves it out with its own note.
    """
    try:
        return pd.Timestamp(when).tz_convert("UTC").as_unit("ns")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return None


def _automated(h: dict[str, list[str]]) -> bool:
    """Auto-replies and bulk or list mail (RFC 3834, RFC 2369 and common practice)."""
    auto = _first(h.get("auto-submitted", [])).lower()
    if auto and auto != "no":
        return True
    if _first(h.get("precedence", [])).lower() in _AUTO_PRECEDENCE:
        return True
    return any(k in h for k in ("list-id", "list-unsubscribe", "x-autoreply", "x-autorespond"))


# --------------------------------------------------------------------------- threads, copies


def _dedupe(messages: list[_Message]) -> tuple[list[_Message], list[tuple[_Message, _Message]]]:
    """First copy of each message; the later copies paired with the first."""
    first: dict[tuple[object, ...], _Message] = {}
    keep, dups = [], []
    for m in messages:
        key: tuple[object, ...] = (
            (m.message_id, m.sender.addr, m.ts) if m.message_id
            else (m.ts, m.sender.addr, tuple(r.addr for r in m.recipients), m.subject)
        )
        if key in first:
            dups.append((m, first[key]))
        else:
            first[key] = m
            keep.append(m)
    return keep, dups


def _threads(messages: list[_Message]) -> list[str | None]:
    """Each message's thread: the root of its reply chain, followed through the export."""
    parent = {m.message_id: m.parent for m in messages if m.message_id and m.parent}
    out: list[str | None] = []
    for m in messages:
        node = m.parent or m.message_id
        if node is None:
            out.append(_subject_thread(m.subject))
            continue
        seen = {node}
        while node in parent and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        out.append(node)
    return out


def _subject_thread(subject: str | None) -> str | None:
    """A thread named by its subject, for mail with no Message-ID, References or In-Reply-To."""
    core = _REPLY_PREFIX.sub("", subject or "").strip().casefold()
    return f"subject:{core}" if core else None


# --------------------------------------------------------------------------- matching


def _parents(domain: str) -> list[str]:
    """``mail.kone.example`` -> ``[mail.kone.example, kone.example]`` (never a bare TLD)."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def _is_free(domain: str) -> bool:
    return any(d in FREE_MAIL_DOMAINS for d in _parents(domain))


@dataclass
class _OwnSide:
    domains: frozenset[str]
    addresses: frozenset[str]

    @classmethod
    def build(cls, domains: Sequence[str], addresses: Sequence[str], names: list[str]) -> _OwnSide:
        if not domains and not addresses:
            raise ParamsError(
                f"client.domains is not set, but the interactions come from e-mail "
                f"({', '.join(names)}): the client's own domains tell sent mail from received. "
                "Fix: add `domains: [yourfirm.fi]` under client in your params file and run "
                "with --params (own addresses on other domains, such as a gmail.com address, "
                "go under client.addresses)"
            )
        doms = frozenset(d for d in (normalize_domain(x) for x in domains) if d)
        return cls(doms, frozenset(a.strip().lower() for a in addresses))

    def __contains__(self, a: _Address) -> bool:
        return a.addr in self.addresses or any(d in self.domains for d in _parents(a.domain))

    def describe(self) -> str:
        return ", ".join(sorted(self.domains) + sorted(self.addresses))


@dataclass
class _Directory:
    """Accounts by address and by domain."""

    by_address: dict[str, list[str]]
    by_domain: dict[str, list[str]]
    notes: list[str]

    @classmethod
    def build(cls, accounts: pd.DataFrame, file: str) -> _Directory:
        by_address: dict[str, list[str]] = {}
        by_domain: dict[str, list[str]] = {}
        free: list[tuple[str, str]] = []
        bad: list[tuple[str, str]] = []
        ids = accounts["account_id"].astype("str").tolist()
        for col in ("email", "domain"):
            if col not in accounts:
                continue
            for acc, cell in zip(ids, accounts[col].tolist()):
                if cell is None or pd.isna(cell) or not str(cell).strip():
                    continue
                if col == "email":
                    for a in _addresses([str(cell).replace(";", ",")]):
                        _add(by_address, a.addr, acc)
                    continue
                for token in re.split(r"[\s,;]+", str(cell).strip()):
                    dom = normalize_domain(token) if token else None
                    if dom is None:
                        if token:
                            bad.append((acc, token))
                    elif _is_free(dom):
                        free.append((acc, dom))
                    else:
                        _add(by_domain, dom, acc)
        if not by_address and not by_domain:
            raise InputError(
                file=file, problem="no account has a domain or an email, so e-mail cannot be "
                "matched to accounts",
                fix="add a column domain (the customer's e-mail domain, e.g. kone.fi) or email "
                "(its contacts' addresses) to the accounts file, or map yours with `columns: "
                "{domain: <your column>}` under data.tables.accounts in your params file",
            )
        notes = []
        if free:
            notes.append(
                f"{file}: {plural(len(free), 'account')} {'has' if len(free) == 1 else 'have'} a "
                f"free-mail domain as domain (e.g. {free[0][0]}: {free[0][1]}); not used to "
                "match e-mail, put the customer's address in the email column instead")
        if bad:
            notes.append(
                f"{file}: {plural(len(bad), 'domain value')} could not be read as a domain (e.g. "
                f"{bad[0][0]}: {bad[0][1]!r}); ignored when matching e-mail")
        return cls(by_address, by_domain, notes)

    def match(self, a: _Address) -> tuple[str | None, str | None]:
        """``(account, None)``; ``(None, key)`` when ``key`` names several accounts."""
        hit = self.by_address.get(a.addr)
        if hit:
            return (hit[0], None) if len(hit) == 1 else (None, a.addr)
        if _is_free(a.domain):
            return None, None
        for d in _parents(a.domain):
            hit = self.by_domain.get(d)
            if hit:
                return (hit[0], None) if len(hit) == 1 else (None, d)
        return None, None

    def accounts_of(self, key: str) -> list[str]:
        return self.by_address.get(key) or self.by_domain.get(key, [])


def _add(index: dict[str, list[str]], key: str, account: str) -> None:
    ids = index.setdefault(key, [])
    if account not in ids:
        ids.append(account)


class _Classifier:
    """Turns messages into rows and counts what it leaves out."""

    def __init__(self, own: _OwnSide, directory: _Directory) -> None:
        self.own, self.directory = own, directory
        self.rows: list[dict[str, object]] = []
        self.names: dict[str, Counter[str]] = {}  # own address -> display names seen
        self.read = 0
        self.sent = 0
        self.automated = 0
        self.internal = 0
        self.by_reply_to = 0
        self.unmatched = 0
        self.unmatched_domains: Counter[str] = Counter()
        self.sender_domains: Counter[str] = Counter()
        self.ambiguous: Counter[str] = Counter()
        self.unnamed: list[str] = []  # own addresses no team member is recognisably

    def add(self, m: _Message, thread: str | None) -> None:
        self.read += 1
        self.sender_domains[m.sender.domain] += 1
        for a in (m.sender, *m.recipients):
            if a in self.own and a.name:
                self.names.setdefault(a.addr, Counter())[a.name] += 1
        if m.automated:
            self.automated += 1
            return
        outbound = m.sender in self.own
        others = list({a.addr: a for a in m.recipients if a not in self.own}.values())
        if outbound:
            self.sent += 1
            if not others:
                self.internal += 1
                return
            handler: _Address | None = m.sender
            candidates = others
        else:
            handler = next((a for a in m.recipients if a in self.own), None)
            candidates = [m.sender]
        hits, unclear = self._match(candidates)
        if not hits and not outbound and not unclear:
            hits, unclear = self._match([a for a in m.reply_to if a not in self.own])
            self.by_reply_to += bool(hits)
        if not hits:
            if unclear:
                self.ambiguous[unclear[0]] += 1
            else:
                self.unmatched += 1
                self.unmatched_domains.update({a.domain for a in candidates})
            return
        for account in hits:
            self.rows.append({
                "_file": m.file, "_row": m.number, "account_id": account, "ts": m.ts,
                "direction": "out" if outbound else "in", "interaction_id": m.message_id,
                "handled_by": handler.addr if handler else None, "thread_id": thread,
                "subject": m.subject,
            })

    def _match(self, candidates: list[_Address]) -> tuple[list[str], list[str]]:
        hits: list[str] = []
        unclear: list[str] = []
        for a in candidates:
            account, key = self.directory.match(a)
            if account is not None and account not in hits:
                hits.append(account)
            elif key is not None:
                unclear.append(key)
        return hits, unclear

    def frame(self, team: pd.DataFrame | None) -> pd.DataFrame:
        rows = pd.DataFrame(self.rows)
        members = _members(self.names, team, rows["handled_by"].dropna().unique().tolist())
        self.unnamed = sorted(a for a, m in members.items() if m is None)
        handled = rows["handled_by"].map(lambda a: members.get(a) or a, na_action="ignore")
        text = {c: pd.Series(rows[c].tolist(), dtype="str")
                for c in ("account_id", "direction", "interaction_id", "thread_id", "subject")}
        return pd.DataFrame({
            "_file": rows["_file"].astype("str"),
            "_row": rows["_row"].to_numpy(dtype="int64"),
            "account_id": text["account_id"],
            "ts": pd.to_datetime(rows["ts"], utc=True).astype("datetime64[ns, UTC]"),
            "channel": pd.Series("email", index=rows.index, dtype="str"),
            "direction": text["direction"],
            "interaction_id": text["interaction_id"],
            "handled_by": pd.Series(handled.tolist(), dtype="str"),
            "thread_id": text["thread_id"],
            "subject": text["subject"],
        })

    def notes(self, label: str, own: _OwnSide) -> list[str]:
        out = []
        if self.automated:
            out.append(f"{label}: {plural(self.automated, 'automatic message')} (auto-replies, "
                       "bulk and list mail) left out")
        if self.internal:
            out.append(f"{label}: {plural(self.internal, 'internal message')} (sent to the "
                       "client's own addresses only, or to no visible recipient) left out")
        if self.read and not self.sent:
            top = ", ".join(f"{d} ({n})" for d, n in _top(self.sender_domains))
            out.append(f"{label}: no message is sent from the client's own addresses "
                       f"({own.describe()}), so all were read as received; the senders' "
                       f"domains are mostly {top}: if one of them is the client's, add it to "
                       "client.domains in your params file")
        if self.by_reply_to:
            out.append(f"{label}: {plural(self.by_reply_to, 'message')} from an address of no "
                       "account matched by its Reply-To (e.g. a web form sending for the "
                       "customer)")
        for key, n in sorted(self.ambiguous.items(), key=lambda kv: (-kv[1], kv[0])):
            accs = self.directory.accounts_of(key)
            what = "address" if "@" in key else "domain"
            out.append(
                f"{label}: {plural(n, 'message')} left out: the {what} {key} belongs to "
                f"{len(accs)} accounts ({', '.join(accs[:4])}), so it cannot say which; put "
                "each account's own contact addresses in accounts.email (addresses are "
                "matched before domains)")
        if self.unmatched:
            top = ", ".join(
                f"{d} ({n}{', free mail: matched by address only' if _is_free(d) else ''})"
                for d, n in _top(self.unmatched_domains))
            out.append(
                f"{label}: {plural(self.unmatched, 'message')} of {self.read} "
                f"match{'' if self.unmatched > 1 else 'es'} no account and "
                f"{'are' if self.unmatched > 1 else 'is'} left out; the counterparts' "
                f"domains are mostly {top}. To include them, add the domain to "
                "accounts.domain or the address to accounts.email")
        return out


def _members(
    names: dict[str, Counter[str]], team: pd.DataFrame | None, addresses: list[str]
) -> dict[str, str | None]:
    """Own address -> team member (``None`` when no member is recognisably it)."""
    if team is None or "member" not in team or not len(team):
        return {}
    by_name: dict[str, str] = {}
    for member in team["member"].dropna().tolist():
        by_name.setdefault(_name_key(str(member)), member)
    out: dict[str, str | None] = {}
    for addr in addresses:
        local = addr.rsplit("@", 1)[0]
        tries = [addr, *[n for n, _ in names.get(addr, Counter()).most_common()],
                 re.sub(r"[._-]+", " ", local)]
        out[addr] = next((by_name[k] for k in map(_name_key, tries) if k in by_name), None)
    return out


def _name_key(name: str) -> str:
    """A person's name compared without case, order or punctuation: *Hakala, Hilkka*."""
    return " ".join(sorted(re.sub(r"[^\w@.]+", " ", name.casefold()).split()))


def _member_notes(log: _Classifier, team: pd.DataFrame | None) -> list[str]:
    unnamed = log.unnamed
    if not unnamed or team is None:
        return []
    return [f"team: {plural(len(unnamed), 'own e-mail address', 'own e-mail addresses')} "
            f"(e.g. {unnamed[0]}) match no team member; their mail is counted under the "
            "address. To count it for a member, name the member in the team file as the "
            "address's display name (e.g. Anna Ahonen), or as the address itself"]


# --------------------------------------------------------------------------- notes, errors


def _label(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"e-mail ({', '.join(names)})"


def _top(counter: Counter[str], k: int = 5) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def _skip_notes(skipped: list[_Skip]) -> list[str]:
    why = {"date": "without a readable Date",
           "early": f"dated before {_EARLIEST.year} (a mail client's clock was reset)",
           "sender": "without a sender address", "unreadable": "whose headers cannot be read"}
    out = []
    for reason, words in why.items():
        for file in dict.fromkeys(s.file for s in skipped if s.reason == reason):
            these = [s for s in skipped if s.reason == reason and s.file == file]
            # An early message's detail is the day it claims (our text); the others quote
            # what the header said.
            examples = "; ".join(
                s.where + (f" <{s.message_id}>" if s.message_id else "")
                + (f": {s.detail}" if reason == "early" else f": {s.detail!r}" if s.detail else ": none")
                for s in these[:_EXAMPLES])
            more = f"; {len(these) - _EXAMPLES} more" if len(these) > _EXAMPLES else ""
            out.append(f"{file}: {plural(len(these), 'message')} {words} left out ({examples}{more})")
    return out


def _duplicate_notes(dups: list[tuple[_Message, _Message]], label: str) -> list[str]:
    if not dups:
        return []
    later, first = dups[0]
    where = (f"{first.file} {first.where} and {later.file} {later.where}"
             if first.file != later.file else f"{first.where} and {later.where}")
    return [f"{label}: {plural(len(dups), 'message')} appeared again (same Message-ID, sender and "
            f"date, e.g. <{later.message_id}> in {where}); each message counted once"]


def _nothing_matched(label: str, read: int, skipped: list[_Skip], log: _Classifier) -> InputError:
    if not read:
        return InputError(file=label, problem=f"none of the {len(skipped)} messages can be "
                          f"read (no readable Date from {_EARLIEST.year} on, or no sender)",
                          fix="check that this is the mail export you meant; export it again")
    def are(n: int) -> str:
        return f"{n} {'is' if n == 1 else 'are'}"

    parts = []
    if log.unmatched:
        top = ", ".join(f"{d} ({n})" for d, n in _top(log.unmatched_domains))
        parts.append(f"{log.unmatched} match{'es' if log.unmatched == 1 else ''} no account "
                     f"(their domains are mostly {top})")
    if log.ambiguous:
        parts.append(f"{are(sum(log.ambiguous.values()))} with a domain or address of several "
                     f"accounts (e.g. {next(iter(log.ambiguous))})")
    if log.internal:
        parts.append(f"{are(log.internal)} internal")
    if log.automated:
        parts.append(f"{are(log.automated)} automatic")
    return InputError(
        file=label,
        problem=f"not one of the {read} messages is with a known account: "
        + "; ".join(parts),
        fix="put the customers' e-mail domains in accounts.domain (or their addresses in "
        "accounts.email), and check client.domains in your params file names the client's "
        "own domains only",
    )

