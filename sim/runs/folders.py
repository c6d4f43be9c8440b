"""Output folders: claimed new, never written over. Light (no pandas, no pyarrow), so a single run can use
them without the ``sweep`` extra."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sim.model.params import InputError

#: the most bytes in one file or folder name (Linux and macOS file systems); an experiment's name is one
NAME_MAX = 255


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
            raise InputError(f"output folder {out} already exists and is not empty; results are never overwritten")
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


def results_folder(root: Path, name: str) -> Path:
    """Claim results/<name>/<UTC stamp> by creating it, empty; a suffix (-2, -3...) if the stamp is taken.

    Creating the folder is the claim: ``mkdir`` succeeds for one process only, so two sweeps or runs
    started in the same second get different folders instead of colliding.
    """
    from sim.runs.provenance import utc_stamp

    base = root / name / utc_stamp()
    base.parent.mkdir(parents=True, exist_ok=True)
    folder, k = base, 1
    while True:
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            k += 1
            folder = base.with_name(f"{base.name}-{k}")
