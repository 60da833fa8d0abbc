"""Where papers, records, doc pages and PDFs are extracted: in this process, in a pool of
processes on this machine, or on a Dask cluster.

Extraction of such a document is a pure function of the document and the tracked models
(:class:`kbuild.extract.runner.Primary`), so any of these can run it; the facts come
back to this process, the only one that writes the database, in the order the documents
were given. An executor takes a window of tasks (:meth:`Executor.submit`) and gives its
results back in order (:meth:`Executor.gather`); the runner keeps two windows in flight,
so the workers extract while this process writes.

Specs (``kbuild extract --executor``): ``local``; ``processes`` (``--jobs`` processes);
``dask`` (a Dask cluster of ``--jobs`` worker processes on this machine, for this run);
``dask://HOST:PORT`` (a running Dask scheduler: its workers need kbuild installed, the
same version as here, and ``dask.distributed``).
"""

from __future__ import annotations

import os

import click

# A Dask task extracts this many documents (one scheduler round trip each: ~1 ms, the
# time of an arXiv record)
CHUNK = 16
# documents given to the workers at a time, per worker thread (two windows in flight)
PER_THREAD = 32
# seconds to reach a scheduler (Dask retries meanwhile), and for a first worker
CONNECT_TIMEOUT = 20
WORKERS_TIMEOUT = 60


class ExecutorError(click.ClickException):
    """The executor cannot run (no such kind, no scheduler, workers of another kbuild)."""


def parse(spec: str | None, jobs: int) -> tuple[str, str | None]:
    """(kind, scheduler address) of an ``--executor`` spec; ``None`` is ``local``, or
    ``processes`` when ``jobs`` > 1 (``--jobs`` alone, as before there were executors)."""
    spec = (spec or "").strip()
    if not spec:
        return ("processes" if jobs > 1 else "local"), None
    if spec in ("local", "processes", "dask"):
        return spec, None
    if spec.startswith(("dask://", "tcp://", "tls://")):
        address = spec.removeprefix("dask://")
        rest = address.split("://")[-1]
        host, _, port = rest.rpartition(":")
        if not host or not port.isdigit():
            raise ExecutorError(
                f"--executor {spec}: a Dask scheduler is given as dask://HOST:PORT "
                "(e.g. dask://scheduler:8786)"
            )
        return "dask", address if "://" in address else f"tcp://{address}"
    raise ExecutorError(
        f"--executor {spec}: not an executor; use local, processes, dask (a cluster on "
        "this machine) or dask://HOST:PORT (a running scheduler)"
    )


class Executor:
    """Runs :class:`~kbuild.extract.runner.Primary` over windows of tasks."""

    kind = "local"

    def __init__(self, models: list[dict]):
        self.models = models
        self.primary = None

    def submit(self, tasks: list[tuple]):
        """Start extracting ``tasks``; returns what :meth:`gather` takes."""
        return tasks

    def gather(self, pending) -> list:
        """The results of a submitted window, in its order: a document's facts (or
        (facts, anomalies)), or the Exception that stopped its extraction."""
        from kbuild.extract.runner import Primary

        self.primary = self.primary or Primary(self.models)
        return [extract_one(self.primary, task) for task in pending]

    def window(self) -> int:
        """How many documents to give at a time."""
        return 8

    def close(self) -> None:
        """Stop the workers (the ones this run started)."""


def extract_one(primary, task: tuple):
    """One document's facts, or the error that stopped it (one bad document must not
    stop the run)."""
    try:
        return primary(task)
    except Exception as err:
        return RuntimeError(str(err))


def _chunks(tasks: list[tuple], size: int) -> list[list[tuple]]:
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


class Processes(Executor):
    """A pool of ``jobs`` processes on this machine (spawned: a fork would copy this
    process's open database connection)."""

    kind = "processes"

    def __init__(self, models: list[dict], jobs: int):
        import concurrent.futures
        import multiprocessing

        from kbuild.extract import runner

        super().__init__(models)
        self.jobs = jobs
        self.pool = concurrent.futures.ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=runner._start_worker,
            initargs=(models, os.getpid()),
        )

    def submit(self, tasks):
        from kbuild.extract import runner

        return [self.pool.submit(runner._work_chunk, chunk) for chunk in _chunks(tasks, 8)]

    def gather(self, pending):
        return [found for future in pending for found in future.result()]

    def window(self):
        return PER_THREAD * self.jobs

    def close(self):
        self.pool.shutdown(cancel_futures=True)


# The workers' own copy of the models' extraction state (name index, compiled names), by
# the models' digest: built by a worker's first task, kept for the next runs.
_PRIMARIES: dict[str, object] = {}


def extract_on_worker(chunk: list[tuple], models: list[dict], digest: str, code: str) -> list:
    """A Dask task: a chunk of documents extracted on a worker (each document's facts or
    the error that stopped it; a worker that cannot extract fails the chunk's documents
    with its reason)."""
    from kbuild.extract.runner import CODE, Primary

    if code != CODE:  # a worker that joined after the start, with another kbuild
        failure = RuntimeError(
            "a Dask worker runs another kbuild (its extraction code differs); install "
            "this version on every worker"
        )
        return [failure] * len(chunk)
    primary = _PRIMARIES.get(digest)
    if primary is None:
        _PRIMARIES.clear()  # one set of models at a time
        try:
            primary = _PRIMARIES[digest] = Primary(models)
        except Exception as err:
            return [RuntimeError(f"the Dask worker could not start extracting ({err})")] * len(
                chunk
            )
    return [extract_one(primary, task) for task in chunk]


def _the_models(models: list[dict]) -> list[dict]:
    return models


def worker_code() -> str:
    """The extraction code's digest where this runs (a worker: is it our kbuild?)."""
    from kbuild.extract.runner import CODE

    return CODE


class Dask(Executor):
    """A Dask cluster: a running scheduler's (``address``), or ``jobs`` worker processes
    started on this machine for the run."""

    kind = "dask"

    def __init__(self, models: list[dict], digest: str, address: str | None, jobs: int):
        try:
            import distributed
        except ImportError as err:
            raise ExecutorError(
                "--executor dask needs Dask's distributed scheduler: "
                "pip install 'kbuild[cluster]' (here and on every worker)"
            ) from err
        import logging

        super().__init__(models)
        self.digest = digest
        self.cluster = None
        if address is None:
            self.cluster = distributed.LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.WARNING,
            )
            address = self.cluster.scheduler_address
        try:
            self.client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            self.close()
            raise ExecutorError(
                f"could not reach the Dask scheduler at {address} ({err}); is "
                "`dask scheduler` running there, and its port open to this machine?"
            ) from err
        try:
            self._check_workers()
        except BaseException:
            self.close()
            raise
        # the models go to a worker once, not with each task; a task (not scattered
        # data) so that the scheduler makes them again if every worker holding them dies
        self.models_future = self.client.submit(
            _the_models, models, key=f"kbuild-models-{digest}", pure=False
        )
        # asked once: the workers present now (more may join; they get tasks too)
        self._window = PER_THREAD * (sum(self.client.nthreads().values()) or 1)

    def _check_workers(self) -> None:
        from kbuild.extract.runner import CODE

        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError as err:
            raise ExecutorError(
                f"no Dask worker joined {self.client.scheduler.address} within "
                f"{WORKERS_TIMEOUT} s; start some: dask worker "
                f"{self.client.scheduler.address} --nthreads 1"
            ) from err
        try:
            codes = self.client.run(worker_code)
        except Exception as err:  # a worker without kbuild cannot unpickle the call
            raise ExecutorError(
                f"the Dask workers could not run kbuild ({type(err).__name__}: {err}); "
                "install kbuild (the same version as here) and dask.distributed on every "
                "worker: pip install 'kbuild[cluster]'"
            ) from err
        other = sorted(w for w, code in codes.items() if code != CODE)
        if other:
            raise ExecutorError(
                f"{len(other)} of {len(codes)} Dask workers run another kbuild (its "
                f"extraction code differs: {', '.join(other[:3])}); install this version "
                "on every worker, or facts would depend on which worker read a document"
            )

    def submit(self, tasks):
        import warnings

        chunks = _chunks(tasks, CHUNK)
        # The documents travel in the tasks, through the scheduler (Dask warns of a large
        # graph): scattered to a worker instead, they would be lost with it, and a dead
        # worker's documents are to be extracted again elsewhere.
        from kbuild.extract.runner import CODE

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sending large graph")
            try:
                futures = self.client.map(
                    extract_on_worker,
                    chunks,
                    models=self.models_future,
                    digest=self.digest,
                    code=CODE,
                    pure=False,
                )
            except (OSError, TimeoutError) as err:
                raise self._lost(err) from err
        return list(zip(futures, map(len, chunks), strict=True))

    def gather(self, pending):
        import concurrent.futures

        results = []
        for future, size in pending:
            try:
                results.extend(future.result())
            except concurrent.futures.CancelledError as err:
                # the scheduler is gone (the client cancels what it waited for): the
                # run stops, what was extracted and written stays
                raise self._lost(err) from err
            except Exception as err:  # e.g. KilledWorker: it died on these documents
                if self.client.status not in ("running", "connecting"):
                    raise self._lost(err) from err
                failure = RuntimeError(
                    f"its extraction on the Dask cluster failed ({type(err).__name__}: {err})"
                )
                results.extend([failure] * size)
        return results

    def _lost(self, err: BaseException) -> ExecutorError:
        return ExecutorError(
            f"lost the Dask scheduler ({type(err).__name__}: {err}); what was extracted "
            "before is written: run `kbuild extract` again to go on"
        )

    def window(self):
        return self._window

    def close(self):
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
