"""The experiment files shipped with the package: where they are, what each one is for, and copying
them into a folder of your own to edit (``python -m sim experiments``).

The files live at the top of the repository, in ``experiments/``. A built wheel carries them as
``sim/_experiments/`` (``pyproject.toml`` maps the folder there at build time); a source checkout and an
editable install read ``experiments/`` itself. :func:`shipped_folder` looks in both places.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sim.model.params import suggest
from sim.runs.experiment import ExperimentError, load_experiment

_PACKAGE = Path(__file__).resolve().parents[1]  # sim/
#: where the files are looked for, in order: inside an installed wheel, then beside the package's folder
PLACES: tuple[Path, ...] = (_PACKAGE / "_experiments", _PACKAGE.parent / "experiments")


@dataclass(frozen=True)
class Shipped:
    """One shipped experiment: its name (the file's stem), its file, its size and what it does."""

    name: str
    path: Path
    points: int
    replications: int
    summary: str


def shipped_folder() -> Path:
    """The folder that holds the shipped experiment files (see the module docstring).

    Raises:
        ExperimentError: neither place exists (a damaged installation).
    """
    for folder in PLACES:
        if folder.is_dir():
            return folder
    raise ExperimentError(
        f"the shipped experiment files are missing (looked in {' and '.join(map(str, PLACES))}); reinstall the package"
    )


def first_sentence(text: str) -> str:
    """The first sentence of a description, on one line ('' for no description)."""
    flat = " ".join(text.split())
    match = re.match(r"(.+?\.)(\s|$)", flat)
    return match.group(1) if match else flat


def shipped_experiments() -> list[Shipped]:
    """Every shipped experiment, by name. Each file is read and checked as ``sweep`` would check it."""
    out = []
    for path in sorted(shipped_folder().glob("*.toml")):
        try:
            exp = load_experiment(path)
        except ExperimentError:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            if raw.get("design", {}).get("kind") != "posterior":
                raise
            # a posterior design needs its calibration's posterior.parquet, which a wheel does not carry:
            # list it with 0 points (its size is known once the file is there)
            note = f"(needs {raw['design'].get('posterior')}, made by python -m sim calibrate) "
            summary = note + first_sentence(str(raw.get("description", "")))
            out.append(Shipped(path.stem, path, 0, int(raw.get("replications", 1)), summary))
            continue
        out.append(Shipped(path.stem, path, len(exp.points), exp.replications, first_sentence(exp.description)))
    return out


def select(names: list[str] | tuple[str, ...] = ()) -> list[Shipped]:
    """The shipped experiments called ``names`` (all of them when none is given).

    Raises:
        ExperimentError: a name that is not shipped (one line, with the closest name).
    """
    every = {item.name: item for item in shipped_experiments()}
    for name in names:
        if name not in every:
            raise ExperimentError(
                f"no shipped experiment {name!r}{suggest(name, every)}; 'python -m sim experiments' lists them"
            )
    return [every[name] for name in dict.fromkeys(names)] if names else list(every.values())


def copy_experiments(folder: str | Path, names: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Copy the shipped experiments called ``names`` (all when none is given) into ``folder``, created if
    needed, and return the new files. Nothing is overwritten: if any of the files is already there, none
    is copied.

    Raises:
        ExperimentError: an unknown name.
        FileExistsError: a file of that name is already in ``folder`` (or ``folder`` is a file).
    """
    folder = Path(folder)
    chosen = select(names)
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} exists and is not a folder")
    taken = [folder / item.path.name for item in chosen if (folder / item.path.name).exists()]
    if taken:
        more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
        raise FileExistsError(f"{taken[0]} already exists{more}; experiments are never copied over existing files")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in chosen:
        target = folder / item.path.name
        with open(target, "xb") as out:  # "x": fails rather than overwrite a file that appeared meanwhile
            out.write(item.path.read_bytes())
        written.append(target)
    return written
