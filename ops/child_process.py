"""A child process of `serve` on one pipe each way: the writer and the projections.

Both sides send pickled lists of messages, one send per wake-up (see Outbox). A child
says ("ready",) once it has opened the store, or ("failed", why) if it could not; a
closed pipe means it is gone (stopped, crashed or killed), and the server process is
told so. A child stops when the server sends None or when its end of the pipe closes
(the server died: nobody is waiting for anything).
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from ops.settings import Settings

log = logging.getLogger(__name__)
START_TIMEOUT = 120.0  # seconds for a child to import, open the store and set up
STOP_TIMEOUT = 30.0
REPORT_INTERVAL = 1.0  # seconds: a child reports its error at least this often
Message = tuple[Any, ...]


class ChildStopped(RuntimeError):
    """A child process is gone, or never started."""


class ChildProcess:
    """Spawns `target(settings, conn)` and reads its replies on a thread of its own."""

    def __init__(
        self, name: str, target: Callable[[Settings, Connection], None], settings: Settings,
        on_messages: Callable[[list[Message]], None], on_gone: Callable[[str], None],
    ) -> None:  # fmt: skip
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._child_end: Connection | None = child_end
        self.process: BaseProcess = context.Process(
            target=target, args=(settings, child_end), name=name, daemon=True
        )
        self._on_messages = on_messages
        self._on_gone = on_gone
        self._lock = threading.Lock()  # sends in order, from any thread
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, name=f"{name}-replies",
                                        daemon=True)  # fmt: skip
        self.name = name
        self.stopped: str | None = None  # why it is gone

    def start(self) -> None:
        self.process.start()
        if self._child_end is not None:
            self._child_end.close()  # ours closes when the child exits: EOF, not a hang
            self._child_end = None
        self._reader.start()
        if not self._ready.wait(START_TIMEOUT) or self.stopped:
            self.process.kill()
            raise ChildStopped(self.stopped or f"the {self.name} process did not start")

    def send(self, messages: list[Message] | None) -> None:
        """One send; None asks the child to stop. A child that is gone is logged
        here and reported by the reader."""
        with self._lock:
            try:
                self._conn.send(messages)
            except (OSError, ValueError) as error:
                log.error("could not reach the %s process: %s", self.name, error)

    def stop(self) -> None:
        if self.process.pid is None:
            return
        if self.stopped is None:
            self.send(None)  # the child finishes what it holds, then exits
        self.process.join(STOP_TIMEOUT)
        if self.process.is_alive():
            log.error("the %s process did not stop in %ss; killing it", self.name,
                      STOP_TIMEOUT)  # fmt: skip
            self.process.kill()
            self.process.join()
        self._reader.join(STOP_TIMEOUT)
        self._conn.close()

    def _read(self) -> None:
        try:
            while True:
                messages = self._conn.recv()
                kept = [m for m in messages if not self._lifecycle(m)]
                if kept:
                    self._on_messages(kept)
        except (EOFError, OSError):
            pass
        except Exception:
            log.exception("reading the %s process's replies failed", self.name)
        self.stopped = self.stopped or f"the {self.name} process stopped"
        self.process.join(5)  # its pipe closed as it exited: reap it for the exit code
        if self._ready.is_set() and self.process.exitcode not in (0, None):
            log.critical("the %s process exited with %s", self.name, self.process.exitcode)
        self._ready.set()
        self._on_gone(self.stopped)

    def _lifecycle(self, message: Message) -> bool:
        if message[0] == "ready":
            self._ready.set()
        elif message[0] == "failed":
            self.stopped = message[1]
            self._ready.set()
        else:
            return False
        return True


# -- the child's side --------------------------------------------------------------------


def child_outbox(settings: Settings, conn: Connection) -> Outbox:
    """What every child does first: its logging, its replies' sender, and no
    stopping on the group's signals. (Ctrl-C, or a SIGTERM sent to the whole process
    group, systemd's default, is the server's to act on: it shuts down, then stops
    its children in order, the writer committing the server's last rows.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")  # fmt: skip
    return Outbox(conn)


class Outbox:
    """A child's replies: gathered from its threads, sent by one thread, a list per
    wake-up. Positions are sent as the latest only; `error` is polled so that an
    error is reported even when no position moves (/readyz)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._cond = threading.Condition()
        self._messages: list[Message] = []
        self._positions: dict[str, int] | None = None
        self._closing = False
        self.error: Callable[[], str | None] | None = None
        self._thread = threading.Thread(target=self._run, name="replies", daemon=True)
        self._thread.start()

    def put(self, message: Message) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify()

    def positions(self, positions: dict[str, int]) -> None:
        with self._cond:
            self._positions = dict(positions)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join(STOP_TIMEOUT)

    def _run(self) -> None:
        reported: str | None = None
        while True:
            with self._cond:
                if not (self._messages or self._positions is not None or self._closing):
                    self._cond.wait(REPORT_INTERVAL)
                messages, self._messages = self._messages, []
                positions, self._positions = self._positions, None
                closing = self._closing
            if self.error is not None:
                error = self.error()
                if positions is not None or error != reported:
                    messages.append(("positions", positions, error))
                    reported = error
            if messages:
                self._send(messages)
            if closing:
                return

    def _send(self, messages: list[Message]) -> None:
        try:
            self._conn.send(messages)
        except (pickle.PicklingError, TypeError, AttributeError):
            # An outcome that does not pickle (an unexpected exception): say what it was.
            self._conn.send([_portable(m) for m in messages])
        except OSError:
            pass  # the server is gone; the child stops on its side of the pipe


def receive(conn: Connection) -> list[Message] | None:
    """The server's next list of messages; None once it says stop or is gone."""
    try:
        return conn.recv()  # type: ignore[no-any-return]
    except (EOFError, OSError):
        log.warning("the server process is gone; its child stops")
        return None


def describe(error: BaseException | None) -> str | None:
    return None if error is None else f"{type(error).__name__}: {error}"


def _portable(message: Message) -> Message:
    if message[0] == "done" and isinstance(message[2], BaseException):
        try:
            pickle.dumps(message[2])
        except Exception:
            error = message[2]
            return ("done", message[1], RuntimeError(f"{type(error).__name__}: {error}"))
    return message
