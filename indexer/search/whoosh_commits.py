"""Batched Whoosh commits in a child process, so that a bulk ingest analyses the next videos while the last batch is
written.

Whoosh is pure Python. A batched commit (base.PassageIndex.flush) run on the flusher thread holds the interpreter
lock for most of its time, so the ingest's own Python work (parsing captions, chapters, the next passages) waits for
it: in a caption ingest at 100,000 passages without the chapters' model, the commits took 4.8 s of 11.9 s, and the
rest of the ingest alone ran in 7.1 s. A process of its own writes a batch on another core instead.

The child is one per process, started by the first batch of at least CHILD_MIN_PASSAGES passages (a bulk ingest;
a Whisper ingest's single video a minute is committed in place, as is anything while the child cannot be used). It
reads (index folder, batch, timeout) messages from its stdin and answers each with ("ok", None) or ("error",
exception) on its stdout, after a commit made exactly as in place (same session, same lock across processes). It
starts no merger: the parent does, after each answer (index._after_commit), so a merge is still this process's
child. The child ends when its stdin closes, that is when this process ends or drops it. If it dies, the batch is
committed in place (deleting a video's passages and adding them again is safe to repeat).
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from indexer.errors import ClipindexError
from indexer.search.whoosh_views import start_child

CHILD_MIN_PASSAGES = 200  # a batch this large starts the child; smaller ones are committed in place until then
log = logging.getLogger(__name__)
Batch = dict[str, list[dict[str, Any]]]

_lock = threading.Lock()  # one message at a time on the child's pipes
_child: subprocess.Popen[bytes] | None = None
_failed = False  # the child could not be started: commit in place from now on


def wanted(batch: Batch) -> bool:
    """Whether this batch goes to the child: it runs already, or the batch is large enough to start it."""
    running = child_pid() is not None
    return not _failed and (running or sum(len(docs) for docs in batch.values()) >= CHILD_MIN_PASSAGES)


def commit(root: Path, batch: Batch, timeout: float) -> bool:
    """Commit `batch` into the index at `root` in the child; False when the child cannot take it (not started, or
    gone), and the caller commits in place. A commit that fails in the child raises its error here."""
    with _lock:
        child = _running()
        if child is None or child.stdin is None or child.stdout is None:
            return False
        try:
            pickle.dump((str(root), batch, timeout), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            child.stdin.flush()
            status, value = pickle.load(child.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            log.warning("the index committer (pid %s) stopped (%s); committing in this process", child.pid, exc)
            _stop(child)
            return False
    if status != "ok":
        raise value
    return True


def child_pid() -> int | None:
    """The running child's process id, if one runs."""
    return _child.pid if _child is not None and _child.poll() is None else None


def stop() -> None:
    """Stop the child after the commit it is making; the next large batch starts another."""
    with _lock:
        if _child is not None:
            _stop(_child, wait_s=60.0)


def _running() -> subprocess.Popen[bytes] | None:
    global _child, _failed
    if child_pid() is not None:
        return _child
    _child = start_child(__name__, None, "index committer (committing in this process)", pipes=True)
    _failed = _child is None
    return _child


def _stop(child: subprocess.Popen[bytes], wait_s: float = 0.0) -> None:
    """Close the child's pipes (it ends at the end of its stdin) and wait up to `wait_s` before killing it."""
    global _child
    for pipe in (child.stdin, child.stdout):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:
            pass
    try:
        child.wait(wait_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    _child = None


def _forget_in_fork() -> None:
    """A forked child has its own batches: it starts its own committer if it needs one (the pipes stay the
    parent's)."""
    global _child, _lock
    _child, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_in_fork)


def _answer(root: str, batch: Batch, timeout: float) -> tuple[str, Any]:
    # deferred: index.py imports this module
    from indexer.search.base import commit_batch, open_index
    from indexer.search.index import SearchIndex

    try:
        index = open_index(Path(root), "whoosh")
        assert isinstance(index, SearchIndex)
        with index._session(timeout, after_commit=False) as w:
            commit_batch(w, batch)
    except Exception as exc:  # noqa: BLE001 - every failure is the parent's to raise
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an error that cannot travel is told by its text
            exc = ClipindexError(f"{type(exc).__name__}: {exc}")
        return "error", exc
    return "ok", None


def main() -> None:
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the pipe carries answers only; anything printed goes to the parent's stderr
    while True:
        try:
            root, batch, timeout = pickle.load(inbox)
        except EOFError:
            return
        answer = _answer(root, batch, timeout)
        try:
            pickle.dump(answer, outbox, protocol=pickle.HIGHEST_PROTOCOL)
            outbox.flush()
        except OSError:  # the parent has gone (its batch is committed all the same)
            return


if __name__ == "__main__":
    main()
