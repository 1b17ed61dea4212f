"""The rows of one SQLite query as CSV, read by SQLite straight into Arrow columns (ADBC) and written by Arrow's CSV
writer, so no cell becomes a Python object: several times faster than a cursor and Python's csv module.

    python -P src/dashboard/sqlite_csv.py STORE_FILE SQL
        CSV rows (no header) on standard output; the row count on standard error; exit status 1 and a one-line
        reason on standard error on failure

Always run in a process of its own (see `rows_as_csv`): ADBC links its own copy of SQLite, and two copies in one
process break each other's file locks (the POSIX locks on a file are dropped when either copy closes it), which can
corrupt a store other processes write to. Imports nothing but ADBC and Arrow, so it starts quickly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

LINE_END = "\r\n"
BATCH_ROWS = 5_000  # rows SQLite hands to Arrow at a time: a few MB
COPY_CHUNK = 1 << 20


class SqliteCsvError(RuntimeError):
    pass


def write_rows(store_file: str, sql: str, out: BinaryIO) -> int:
    """In this process: the query's rows as CSV (text quoted, numbers bare) to `out`; returns the row count."""
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow
    import pyarrow.csv

    count = 0
    read_only = Path(store_file).resolve().as_uri() + "?mode=ro"  # an export never writes, nor makes a missing store
    with (
        closing(adbc_driver_sqlite.connect(read_only)) as database,
        closing(adbc_driver_manager.AdbcConnection(database)) as connection,
        closing(adbc_driver_manager.AdbcStatement(connection)) as statement,
    ):
        statement.set_options(**{adbc_driver_sqlite.StatementOptions.BATCH_ROWS.value: str(BATCH_ROWS)})
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        options = pyarrow.csv.WriteOptions(include_header=False, eol=LINE_END)
        with (
            pyarrow.RecordBatchReader.from_stream(stream) as batches,
            pyarrow.csv.CSVWriter(out, batches.schema, write_options=options) as writer,
        ):
            for batch in batches:
                writer.write_batch(batch)
                count += batch.num_rows
    return count


def _file_descriptor(handle: BinaryIO) -> int | None:
    try:
        handle.flush()
        return handle.fileno()
    except (AttributeError, OSError):  # io.BytesIO and the like: no file underneath
        return None


class CsvWriting:
    """A query's rows being written as CSV by a process of its own (`start_rows_as_csv`): the caller may do other work
    meanwhile (another core takes it), then `wait`s for the count. Leaving the `with` block without waiting stops
    the process."""

    def __init__(self, store_file: str, sql: str, handle: BinaryIO):
        self.handle = handle
        self.descriptor = _file_descriptor(handle)
        # This file run as a script; -P keeps its folder (the dashboard's modules) off the child's import path.
        self.process = subprocess.Popen(
            [sys.executable, "-P", str(Path(__file__).resolve()), store_file, sql],
            stdout=subprocess.PIPE if self.descriptor is None else self.descriptor,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> int:
        """The rows written, once the process has written them all; SqliteCsvError, with its reason, if it failed."""
        with self.process as process:
            assert process.stderr is not None
            if process.stdout is not None:
                shutil.copyfileobj(process.stdout, self.handle, COPY_CHUNK)
            report = process.stderr.read().decode(errors="replace").strip()
        if self.descriptor is not None and self.handle.seekable():
            self.handle.seek(os.lseek(self.descriptor, 0, os.SEEK_CUR))  # where the child left the shared offset
        if process.returncode != 0:
            reason = report.splitlines()[-1] if report else "no reason given"
            raise SqliteCsvError(f"the export could not read the store: {reason}")
        return int(report.splitlines()[-1])

    def __enter__(self) -> CsvWriting:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.returncode is None:  # not waited for: the caller failed, and its file is not kept
            self.process.kill()
            self.process.wait()
            for pipe in (self.process.stdout, self.process.stderr):
                if pipe is not None:
                    pipe.close()


def start_rows_as_csv(store_file: str, sql: str, handle: BinaryIO) -> CsvWriting:
    """The query's rows as CSV to `handle`, begun by a process of its own: written straight into the file when
    `handle` has one, otherwise streamed through a pipe when waited for (memory stays flat whatever the size)."""
    return CsvWriting(store_file, sql, handle)


def rows_as_csv(store_file: str, sql: str, handle: BinaryIO) -> int:
    """`start_rows_as_csv`, waited for: returns the count."""
    with start_rows_as_csv(store_file, sql, handle) as writing:
        return writing.wait()


def main(argv: list[str]) -> int:
    store_file, sql = argv
    try:
        count = write_rows(store_file, sql, sys.stdout.buffer)
    except Exception as error:  # reported to the parent, which raises it there: the first line says why
        print(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__, file=sys.stderr)
        return 1
    sys.stdout.buffer.flush()
    print(count, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
