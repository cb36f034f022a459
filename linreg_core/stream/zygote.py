"""The zygote of a served app: one process that has loaded the engine and torch, and forks each visitor's training
process from itself, so that thirty training processes share one copy of what importing torch built (pages are
copied only when written) instead of building thirty.

``linreg-tui --serve`` starts it (:func:`start`) and names its socket to every visitor's app in the environment
(``LINREG_ZYGOTE``); a visitor's :class:`~linreg_core.stream.process.ProcessRunStream` asks it for a worker
(:func:`fork`), handing over the worker's file descriptors and its run. Without a zygote, or if it does not answer,
the app spawns its worker itself. The socket lives in a folder only the server's user can enter.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import struct
import sys
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

ENV = "LINREG_ZYGOTE"
HEADER = struct.Struct("!Q")
FDS = 6  # commands, events, the credits' two ends, the interrupt flag's two ends
#: The zygote's command line (not ``-m``: the package has loaded this module before runpy would run it)
ENTRY = "import sys; from linreg_core.stream.zygote import serve; serve(sys.argv[1])"


class Forked:
    """A worker the zygote forked: not this process's child, so it is followed by its process id."""

    exitcode = None  # not this process's child: its exit code is the zygote's to collect

    def __init__(self, pid: int):
        self.pid = pid

    def is_alive(self) -> bool:
        try:
            status = open(f"/proc/{self.pid}/status").read()
        except OSError:
            return False
        return "\nState:\tZ" not in status

    def join(self, timeout: float | None = None) -> None:
        end = time.monotonic() + (timeout if timeout is not None else 1e9)
        while self.is_alive() and time.monotonic() < end:
            time.sleep(0.02)

    def terminate(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            pass


def fork(cmd: Connection, evt: Connection, slots: Any, flag: Any, *run: Any) -> Forked | None:
    """A worker forked by the zygote named in the environment, given these file descriptors and ``run`` (the
    configuration, data and speed); None when there is no zygote or it does not answer."""
    path = os.environ.get(ENV)
    if not path:
        return None
    payload = pickle.dumps(run)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10.0)
            sock.connect(path)
            fds = [cmd.fileno(), evt.fileno(), *slots.fds(), *flag.fds()]
            socket.send_fds(sock, [HEADER.pack(len(payload))], fds)
            sock.sendall(payload)
            (pid,) = HEADER.unpack(_receive(sock, HEADER.size))
    except OSError:
        return None
    return Forked(pid)


def _receive(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the zygote closed the connection")
        data += chunk
    return data


def serve(path: str) -> None:
    """The zygote's loop: load, then fork a worker for each request."""
    import gc

    from linreg_core.stream.pipes import FdCredits, FdFlag, child_main

    try:
        import torch  # noqa: F401  (loaded once, here, for every worker)
    except ImportError:  # a torch case says so itself when it runs
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's: it ends this process and its workers
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ended workers are reaped by the system
    gc.collect()
    gc.freeze()  # what is loaded stays put: a worker's collections do not write to (and so copy) these pages
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    while True:
        conn, _ = listener.accept()
        fds: list[int] = []
        try:
            conn.settimeout(10.0)
            header, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, FDS)
            if len(header) != HEADER.size or len(fds) != FDS:
                raise ConnectionError("not a request")
            run = pickle.loads(_receive(conn, HEADER.unpack(header)[0]))
        except (OSError, pickle.UnpicklingError, EOFError):
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:  # the worker
            listener.close()
            conn.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            child_main(Connection(fds[0]), Connection(fds[1]), FdCredits(fds[2], fds[3]), FdFlag(fds[4], fds[5]),
                        *run)
            os._exit(0)
        for fd in fds:
            os.close(fd)
        try:
            conn.sendall(HEADER.pack(pid))
        except OSError:
            pass
        conn.close()


def start(path: str, timeout: float = 60.0) -> subprocess.Popen[bytes] | None:
    """Start the zygote on the socket ``path`` and wait until it answers; the environment then names it to the
    visitors' apps started from this process. None if it did not answer within ``timeout`` seconds."""
    import subprocess  # the server's only (an app imports this module for fork())

    proc = subprocess.Popen([sys.executable, "-c", ENTRY, path])
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(path)
            except OSError:
                time.sleep(0.1)
                continue
        os.environ[ENV] = path
        return proc
    proc.kill()
    return None

