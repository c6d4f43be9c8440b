"""Output folders: built whole under a temporary name, then renamed into place; never written over.
Light (no pandas, no pyarrow), so a single run can use them without the ``sweep`` extra.

Every results folder the command line and the API make (a sweep's, a run's, a validation's, a
calibration's) is built in a temporary folder ``.partial-XXXXXXXX`` beside it and published in one rename
(:func:`building`, :func:`publish`). A kill or a full disk while it is built therefore leaves no results
folder at all, only that hidden temporary one, which the next folder made beside it names (one warning
line, with the command that deletes it). Folders left half made by older versions (no manifest, an empty
``parts/``) are recognised where a user meets them (:func:`leftover`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sim.model.params import InputError

#: the most bytes in one file or folder name (Linux and macOS file systems); an experiment's name is one
NAME_MAX = 255
#: how the temporary folder a results folder is built in begins
PARTIAL = ".partial-"
#: what an older version's sweep wrote, in order, when it made its folder (``parts/`` first); a kill left
#: some of them
_CREATION = {
    "parts", ".experiment.toml.tmp", "experiment.toml", ".design.parquet.tmp", "design.parquet", ".manifest.json.tmp"
}  # fmt: skip


def check_new_folder(out: Path) -> None:
    """Refuse (InputError, a ValueError; one line) an output folder that cannot be a new one: a folder that is not new
    or empty (results are never overwritten), the current folder or one above it, a name longer than a
    file system allows, a folder below a file, a link to nothing."""
    long = next((part for part in out.parts if len(os.fsencode(part)) > NAME_MAX), None)
    if long is not None:
        raise InputError(
            f"output folder name {long[:16]}... is {len(os.fsencode(long)):,} bytes long; a folder name can have "
            f"at most {NAME_MAX}"
        )
    here = Path.cwd()
    if out.resolve() in (here, *here.parents):
        raise InputError(f"output folder {out} is the current folder or one above it; name a new folder")
    try:
        if out.is_symlink() and not out.exists():
            raise InputError(f"output folder {out} is a link to {os.readlink(out)}, which does not exist")
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            taken = f"output folder {out} already exists and is not empty; results are never overwritten"
            raise InputError(leftover(out) or taken)
        for parent in out.parents:
            if parent.exists() and not parent.is_dir():
                raise InputError(f"cannot create output folder {out}: {parent} is a file")
    except OSError as err:
        raise InputError(f"cannot use output folder {out}: {err.strerror or err}") from None
    for folder in (out, next(p for p in out.parents if p.exists())):
        if folder.exists():
            try_writing(folder)


def try_writing(folder: Path) -> None:
    """Refuse (InputError, one line) a folder nothing can be written in. Making and removing an empty
    folder there is the sure test: permission bits say nothing to root, nor of a read-only mount or /proc."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".try-", dir=folder))
    except OSError as err:
        raise InputError(f"cannot write in {folder}: {err.strerror or err}") from None


def leftover(folder: Path) -> str | None:
    """What to do with ``folder`` when it is what a stopped folder creation left (one line), else None:
    a temporary ``.partial-`` folder, or a sweep folder an older version left half made (no manifest and
    nothing in ``parts/``)."""
    try:
        if folder.name.startswith(PARTIAL) and folder.is_dir():
            return (
                f"{folder} is the temporary folder of a results folder being made, or left when making one was "
                f"stopped (a kill, a full disk); it holds no results: delete it with rm -r {_quoted(folder)}"
            )
        names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        if "parts" in names and names <= _CREATION and not any((folder / "parts").iterdir()):
            return (
                f"{folder} is what is left of a sweep stopped while its folder was being made (no run is in it); "
                f"delete it with rm -r {_quoted(folder)} and start the sweep again"
            )
    except OSError:
        return None
    return None


def _quoted(path: Path) -> str:
    return shlex.quote(str(path))


@contextlib.contextmanager
def building(parent: Path) -> Iterator[Path]:
    """A new temporary folder in ``parent`` (made, with its parents) to build a results folder in; locked
    while the block runs, so that no other process takes it for a leftover, and removed when the block
    ends unless it was published (:func:`publish`). Temporary folders that a stopped creation left in
    ``parent`` are named on stderr, one line. An OSError in the block (a full disk) is an InputError: one
    line, and nothing is kept."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=PARTIAL, dir=parent))
    except OSError as err:
        raise InputError(f"cannot make a results folder in {parent}: {err.strerror or err}") from None
    with _locked(tmp):
        _warn_leftovers(parent, tmp)
        try:
            yield tmp
        except OSError as err:  # a full disk, a quota, permissions: the environment, not the runs
            raise InputError(f"cannot write results into {parent}: {err.strerror or err}; nothing was kept") from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


def publish(tmp: Path, out: Path | None = None) -> Path:
    """Rename the finished temporary folder ``tmp`` to ``out`` and return it; with no ``out``, to the
    first free one of ``<UTC stamp>``, ``<UTC stamp>-2``... beside ``tmp``.

    The rename is the claim: it replaces a missing or empty folder, atomically, and fails when the
    name holds anything, so two processes never share a folder. InputError (one line) when ``out`` was
    filled by someone else meanwhile.
    """
    from sim.runs.provenance import utc_stamp

    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o777 & ~mask)  # mkdtemp makes it private; a results folder gets the user's usual mode
    if out is not None:
        try:
            os.replace(tmp, out)
        except OSError as err:
            if err.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                raise
            raise InputError(
                f"output folder {out} was filled by another process while it was being made; results are never "
                "overwritten"
            ) from None
        return out
    base = tmp.parent / utc_stamp()
    folder, k = base, 1
    while True:
        try:
            os.rename(tmp, folder)  # fails when the name holds anything (or, on Windows, exists)
            return folder
        except OSError as err:
            if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            k += 1
            folder = base.with_name(f"{base.name}-{k}")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an advisory lock (``flock``) on ``folder`` for the block; freed however the process ends."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock, and no leftovers are named
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _warn_leftovers(parent: Path, mine: Path) -> None:
    """Name, in one line on stderr, the temporary folders in ``parent`` that no live process holds."""
    try:
        import fcntl
    except ImportError:
        return
    stale = []
    for path in sorted(parent.glob(f"{PARTIAL}*")):
        if path == mine or not path.is_dir():
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            stale.append(path)
        except OSError:
            pass  # being built by another process
        finally:
            os.close(fd)
    if len(stale) == 1:
        print(
            f"warning: {stale[0]} was left when making a results folder was stopped (a kill, a full disk); it holds "
            f"no results: delete it with rm -r {_quoted(stale[0])}",
            file=sys.stderr,
        )
    elif stale:
        print(
            f"warning: {len(stale)} temporary folders in {parent} were left when making results folders was stopped "
            f"(a kill, a full disk); they hold no results: delete them with rm -r {_quoted(parent)}/{PARTIAL}*",
            file=sys.stderr,
        )
