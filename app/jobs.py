"""The job queue (huey): one instance per app, chosen by QUEUE_URL, with its tasks run inside the app's context.

QUEUE_URL: empty → SqliteHuey in instance/queue.sqlite3 (no server needed; WAL with synchronous=NORMAL, so an
enqueue does not wait for an fsync: a power cut may lose the last enqueues, never the file, and the outbox's sweep
re-enqueues what was lost), ``redis://…`` → RedisHuey (production),
``memory://`` → MemoryHuey (tests: nothing runs until the test drains the queue with ``drain``; never immediate mode,
so a request still only enqueues). The factory registers tasks and periodic jobs, one line each::

    jobs.task(deliver)                              # enqueue later with jobs.enqueue("deliver", 42)
    jobs.periodic(send_reminders, hour=18)          # every day at 18:00 Seoul time

`flask notify-worker` (and scripts/serve beside gunicorn) runs the consumer with the periodic scheduler on.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.storage import SqliteStorage

from app.timeutil import KST

log = logging.getLogger(__name__)


class QueueStorage(SqliteStorage):
    """huey's SQLite storage with synchronous=NORMAL (WAL's own recommendation) instead of FULL's fsync per commit:
    an enqueue after each booking cost milliseconds of the request's time, and held the queue file's lock as long."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


def make_huey(url: str, instance_path: str) -> MemoryHuey | RedisHuey | SqliteHuey:
    """The huey instance QUEUE_URL names (see the module docstring)."""
    if url.startswith("memory:"):
        return MemoryHuey("nadeuri", immediate=False)
    if url.startswith(("redis:", "rediss:")):
        return RedisHuey("nadeuri", url=url)
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    return SqliteHuey(
        "nadeuri", filename=path or str(Path(instance_path) / "queue.sqlite3"), storage_class=QueueStorage
    )


def kst_crontab(**fields):
    """huey's crontab read in Seoul time (huey hands periodic checks a naive UTC timestamp)."""
    matches = crontab(strict=True, **{k: str(v) for k, v in fields.items()})
    return lambda stamp: matches(stamp.replace(tzinfo=UTC).astimezone(KST).replace(tzinfo=None))


class Jobs:
    """An app's huey and its named tasks; every task body runs inside the app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = make_huey(app.config["QUEUE_URL"], app.instance_path)
        self.tasks: dict = {}

    def _in_app(self, function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            with self.app.app_context():
                return function(*args, **kwargs)

        return run

    def task(self, function, name: str | None = None):
        """Register `function` as a task (by its name) and return huey's task wrapper."""
        name = name or function.__name__
        self.tasks[name] = self.huey.task(name=name)(self._in_app(function))
        return self.tasks[name]

    def periodic(self, function, **cron):
        """Run `function` when the crontab fields (Seoul time: minute, hour, day, month, day_of_week) match."""
        cron.setdefault("minute", 0)
        name = function.__name__
        self.tasks[name] = self.huey.periodic_task(kst_crontab(**cron), name=name)(self._in_app(function))
        return self.tasks[name]

    def enqueue(self, name: str, *args, eta: datetime | None = None) -> None:
        """Queue task `name` now or at `eta` (aware); a queue that is down is logged, the sweeper catches up."""
        try:
            if eta is None:
                self.tasks[name](*args)
            else:
                self.tasks[name].schedule(args=args, eta=eta.astimezone(UTC).replace(tzinfo=None))
        except Exception:  # noqa: BLE001  the outbox row is already committed; the periodic sweep re-enqueues it
            log.exception("enqueue of %s failed; the sweeper will pick it up", name)

    def drain(self, now: datetime | None = None) -> int:
        """Run every queued task and every scheduled one due by `now`, in this process (tests, one-off runs)."""
        stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        ran = 0
        for task in self.huey.read_schedule(stamp):
            self.huey.enqueue(task)
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task, stamp)
            ran += 1
        return ran


def init_jobs(app: Flask) -> Jobs:
    """Bind a job queue to `app` (app.extensions["jobs"]) and add `flask notify-worker`."""
    jobs = Jobs(app)
    app.extensions["jobs"] = jobs

    @app.cli.command("notify-worker")
    @click.option("--workers", default=2, show_default=True, help="threads sending messages")
    def notify_worker(workers: int):
        """Run the job worker (notifications, reminders, periodic jobs) until stopped."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
        consumer.run()

    return jobs


def current_jobs() -> Jobs:
    """The running app's job queue."""
    return current_app.extensions["jobs"]
