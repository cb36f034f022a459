"""A class's store: ``DIR/class.sqlite``, written by every visitor's app of ``linreg-tui --serve --class DIR`` and
read by the teacher (``linreg class DIR``, ``linreg-tui --teacher DIR``).

SQLite in WAL mode: many readers and one writer at a time; each visitor's process writes its own rows, each write
one short transaction that waits (a busy timeout) rather than fails while another process writes. What is kept per
learner: the sign-in, the lesson steps reached, the answers to the lesson's questions, the runs that ended, and when
the learner's app was last seen (a heartbeat). Nothing else.
"""

from __future__ import annotations

import json
import math
import os
import queue
import secrets
import sqlite3
import string
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

FILE = "class.sqlite"
#: Seconds a write waits for another process's write to end before it fails (30 visitors write a row each in ms)
BUSY_SECONDS = 30.0
#: Seconds between a visitor's heartbeats
HEARTBEAT_SECONDS = 5.0
NAME_MAX = 40

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learners (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, signed_in REAL NOT NULL,
                                     seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS steps (learner INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
                                  lesson TEXT NOT NULL, step INTEGER NOT NULL, steps INTEGER NOT NULL, ask TEXT,
                                  at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (learner INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
                                    lesson TEXT NOT NULL, step INTEGER NOT NULL, ask TEXT NOT NULL,
                                    given REAL NOT NULL, expected REAL NOT NULL, correct INTEGER NOT NULL,
                                    attempt INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS runs (learner INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
                                 case_number INTEGER NOT NULL, lr REAL NOT NULL, epochs INTEGER NOT NULL,
                                 loss REAL, state TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS steps_learner ON steps(learner);
CREATE INDEX IF NOT EXISTS answers_learner ON answers(learner);
CREATE INDEX IF NOT EXISTS runs_learner ON runs(learner);
"""


class StoreError(Exception):
    """A store that cannot be used: not a database, locked, unwritable, or not a class's store."""


def new_code() -> str:
    """A class code: six random letters and digits (no 0/O, 1/I/l: read aloud or from a board)."""
    alphabet = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")
    return "".join(secrets.choice(alphabet) for _ in range(6))


def check_name(text: str) -> str:
    """A learner's name as stored: 1–40 printable characters, spaces at the ends dropped (ValueError otherwise).
    It is shown literally everywhere: text, never markup."""
    name = text.strip()
    if not name:
        raise ValueError("a name is needed")
    if len(name) > NAME_MAX:
        raise ValueError(f"a name has at most {NAME_MAX} characters (this one has {len(name)})")
    if not name.isprintable():
        raise ValueError("a name has printable characters only")
    return name


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA foreign_keys = ON")
    return db


class Store:
    """``DIR/class.sqlite``. :meth:`create` makes (or opens) it for a server; :meth:`open` opens an existing one."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db, self.path = db, path
        self.lock = threading.RLock()  # one transaction at a time on this connection (the writer thread's, the app's)

    @classmethod
    def create(cls, folder: str | os.PathLike[str], code: str | None = None,
               lesson: dict[str, Any] | None = None) -> Store:
        """The server's store: the folder made if missing, the tables if new, the class code and lesson set."""
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{folder}: cannot make the class folder: {exc.strerror or exc}") from None
        store = cls._open(folder / FILE, create=True)
        with store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (code or new_code(),))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('lesson', ?)", (json.dumps(lesson or {}),))
        return store

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> Store:
        """A store a server made (a visitor's app, the teacher)."""
        path = Path(folder) / FILE
        if not path.is_file():
            raise StoreError(f"{folder}: no class here (linreg-tui --serve --class {folder} makes one)")
        return cls._open(path, create=False)

    @classmethod
    def _open(cls, path: Path, create: bool) -> Store:
        try:
            db = connect(path)
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0] != "wal":
                raise StoreError(f"{path}: SQLite cannot keep this store in WAL mode (a network file system?)")
            db.execute("PRAGMA synchronous = NORMAL")
            if create:
                db.executescript(SCHEMA)
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: {_reason(exc)}") from None
        if not {"meta", "learners", "steps", "answers", "runs"} <= tables:
            raise StoreError(f"{path}: not a linreg-tui class store")
        return cls(db, path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``with store.transaction() as db``: BEGIN IMMEDIATE … COMMIT, ROLLBACK on an error. The busy timeout makes
        BEGIN wait for another process's write; SQLite's errors come out as a :class:`StoreError` with its reason."""
        with self.lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {_reason(exc)}") from None
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"{self.path}: {_reason(exc)}") from None
                raise

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def code(self) -> str:
        return self.meta("code") or ""

    @property
    def lesson(self) -> dict[str, Any]:
        """The class's lesson as the server named it: ``name``, ``title``, ``steps`` and ``questions``
        ([step, ask, [choice texts]], no choices for a number)."""
        return dict(json.loads(self.meta("lesson") or "{}"))

    # -- a visitor's rows ------------------------------------------------------------------------------
    def sign_in(self, name: str, code: str) -> int:
        """The learner's id (a name signed in before is the same learner). ValueError: a wrong code, a bad name;
        nothing is stored then."""
        if not secrets.compare_digest(code.strip().upper(), self.code.upper()):
            raise ValueError("that is not this class's code — ask your teacher for it")
        name = check_name(name)
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO learners (name, signed_in, seen) VALUES (?, ?, ?) "
                       "ON CONFLICT(name) DO UPDATE SET seen = excluded.seen", (name, now, now))
            return int(db.execute("SELECT id FROM learners WHERE name = ?", (name,)).fetchone()[0])

    def write(self, learner: int, kind: str, fields: dict[str, Any]) -> None:
        """One row of ``kind`` (``step``, ``answer``, ``run``, ``seen``) for the learner, in its own transaction."""
        now = time.time()
        with self.transaction() as db:
            if kind == "step":
                db.execute("INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?)",
                           (learner, fields["lesson"], fields["step"], fields["steps"], fields.get("ask"), now))
            elif kind == "answer":
                db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (learner, fields["lesson"], fields["step"], fields["ask"], fields["given"],
                            fields["expected"], int(bool(fields["correct"])), fields["attempt"], now))
            elif kind == "run":
                db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (learner, fields["case"], fields["lr"], fields["epochs"], _finite(fields.get("loss")),
                            fields["state"], now))
            elif kind != "seen":
                raise ValueError(f"no rows of kind {kind!r}")
            db.execute("UPDATE learners SET seen = ? WHERE id = ?", (now, learner))

    # -- the teacher's view ----------------------------------------------------------------------------
    def learners(self, now: float | None = None) -> list[LearnerRow]:
        """Every learner's progress, in the order they signed in."""
        now = time.time() if now is None else now
        lesson = self.lesson
        steps = int(lesson.get("steps", 0))
        asked_steps = {int(q[0]) for q in lesson.get("questions", [])}
        out = []
        for lid, name, seen in self.db.execute("SELECT id, name, seen FROM learners ORDER BY signed_in, id"):
            reached = [int(r[0]) for r in self.db.execute("SELECT DISTINCT step FROM steps WHERE learner = ?",
                                                          (lid,))]
            right = self.db.execute("SELECT COUNT(DISTINCT step) FROM answers WHERE learner = ? AND correct",
                                    (lid,)).fetchone()[0]
            run = self.db.execute("SELECT state, loss FROM runs WHERE learner = ? ORDER BY at DESC, rowid DESC "
                                  "LIMIT 1", (lid,)).fetchone()
            out.append(LearnerRow(name=name, step=max(reached, default=0), steps=steps, right=int(right),
                                  asked=len(asked_steps & set(reached)), state=run[0] if run else "",
                                  loss=run[1] if run else None, seen=max(0.0, round(now - seen, 1))))
        return out

    def answers(self, step: int) -> list[Answer]:
        """Each learner's first answer to the question of lesson step ``step`` (what they predicted)."""
        rows = self.db.execute(
            "SELECT l.name, a.given, a.expected, a.correct FROM answers a JOIN learners l ON l.id = a.learner "
            "WHERE a.step = ? AND a.attempt = (SELECT MIN(attempt) FROM answers b WHERE b.learner = a.learner AND "
            "b.step = a.step) ORDER BY a.at", (step,))
        return [Answer(name, given, expected, bool(correct)) for name, given, expected, correct in rows]

    def attempts(self, name: str) -> dict[int, list[tuple[float, bool]]]:
        """A learner's answers by lesson step: (given, correct) in the order given."""
        out: dict[int, list[tuple[float, bool]]] = {}
        rows = self.db.execute("SELECT a.step, a.given, a.correct FROM answers a JOIN learners l ON l.id = a.learner "
                               "WHERE l.name = ? ORDER BY a.attempt", (name,))
        for step, given, correct in rows:
            out.setdefault(int(step), []).append((given, bool(correct)))
        return out

    def last_answered_step(self) -> int | None:
        row = self.db.execute("SELECT step FROM answers ORDER BY at DESC, rowid DESC LIMIT 1").fetchone()
        return None if row is None else int(row[0])

    def forget(self, name: str) -> bool:
        """Delete a learner and every row of theirs; False when no learner has that name."""
        with self.transaction() as db:
            return db.execute("DELETE FROM learners WHERE name = ?", (name,)).rowcount > 0


@dataclass(frozen=True)
class LearnerRow:
    """One learner in the teacher's table (and one line of ``linreg class DIR --json``)."""

    name: str
    step: int  # the lesson step reached, 1-based as the app shows it; 0 before the first
    steps: int
    right: int
    asked: int
    state: str  # the last run's end: finished, converged, diverged, failed ('' before the first)
    loss: float | None
    seen: float  # seconds since the learner's app was last heard from

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    name: str
    given: float
    expected: float
    correct: bool


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{text} (another program holds the store; close it and start again)"
    if "not a database" in text or "malformed" in text:
        return f"{text} (the file is damaged: move it away and start a new class)"
    return text


class Learner:
    """A visitor's rows. What the app writes before the visitor has signed in (the lesson's first step) waits in a
    queue; after :meth:`sign_in`, a thread of its own writes it and every row after, so that a busy store never
    holds up the app's keys. :meth:`write` takes what ``--record`` writes (a lesson step reached, an answer);
    :meth:`run` a run that ended; :meth:`close` writes what is queued before returning."""

    def __init__(self, store: Store, lesson: str = "", steps: int = 0):
        self.store, self.lesson, self.steps = store, lesson, steps
        self.id: int | None = None
        self.name = ""
        self.failed: str | None = None  # the last write's error, if one failed (said by the app)
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._writer, name="class-store", daemon=True)

    def sign_in(self, name: str, code: str) -> None:
        """ValueError (a wrong code, a bad name) or StoreError: nothing stored, and the visitor may try again."""
        self.id = self.store.sign_in(name, code)
        self.name = check_name(name)
        self._thread.start()

    def _writer(self) -> None:
        assert self.id is not None
        for item in iter(self._queue.get, None):
            try:
                self.store.write(self.id, *item)
            except StoreError as exc:
                self.failed = str(exc)

    def write(self, **fields: Any) -> None:
        """A line as ``--record`` writes it: a step reached (``step``, ``reached``) or an answer."""
        fields = {"lesson": self.lesson, "steps": self.steps, **fields}
        self._queue.put(("step" if fields.get("reached") else "answer", fields))

    def run(self, case: int, lr: float, epochs: int, loss: float | None, state: str) -> None:
        self._queue.put(("run", {"case": case, "lr": lr, "epochs": epochs, "loss": loss, "state": state}))

    def heartbeat(self) -> None:
        self._queue.put(("seen", {}))

    def close(self) -> None:
        """Write what is queued (a visitor who never signed in leaves nothing)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(BUSY_SECONDS)


@dataclass(frozen=True)
class Bar:
    """One bar of the class's answers to a question: the answers in [low, high) (a choice: its number), how many,
    and whether the right answer falls in it."""

    label: str
    count: int
    right: bool


def answer_bars(given: list[float], expected: float, choices: int = 0, bins: int = 8) -> list[Bar]:
    """The class's answers as bars: one per choice (``choices`` > 0), one per distinct value when there are few,
    else ``bins`` equal bins from the answers' lowest tenth to their highest tenth (and the right value), with the
    answers beyond in a bar at each end."""
    if choices:
        return [Bar(f"{k}", sum(1 for g in given if g == k), k == expected) for k in range(1, choices + 1)]
    shown = sorted({float(f"{g:.3g}") for g in given if math.isfinite(g)} | {float(f"{expected:.3g}")})
    if len(shown) <= bins:
        return [Bar(f"{v:g}", sum(1 for g in given if math.isfinite(g) and float(f"{g:.3g}") == v),
                    v == float(f"{expected:.3g}")) for v in shown]
    finite = sorted(g for g in given if math.isfinite(g))
    low = min(finite[len(finite) // 10], expected)
    high = max(finite[-1 - len(finite) // 10], expected)
    width = (high - low) / bins or 1.0
    edges = [low + k * width for k in range(bins + 1)]
    out = []
    below = sum(1 for g in given if not g >= low)  # nan and -inf count as below
    if below:
        out.append(Bar(f"< {low:.3g}", below, False))
    for k in range(bins):
        last = k == bins - 1
        inside = [g for g in finite if edges[k] <= g < edges[k + 1] or (last and g == high)]
        out.append(Bar(f"{edges[k]:.3g}–{edges[k + 1]:.3g}", len(inside),
                       edges[k] <= expected < edges[k + 1] or (last and expected == high)))
    above = sum(1 for g in given if g > high)
    if above:
        out.append(Bar(f"> {high:.3g}", above, False))
    return out


def ago(seconds: float) -> str:
    """How long since: ``12 s``, ``23 min``, ``2 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def rows_as_csv(rows: list[LearnerRow]) -> Iterator[list[str]]:
    yield ["name", "step", "steps", "right", "asked", "state", "loss", "seen"]
    for r in rows:
        yield [r.name, str(r.step), str(r.steps), str(r.right), str(r.asked), r.state,
               "" if r.loss is None else f"{r.loss:.6g}", f"{r.seen:g}"]
