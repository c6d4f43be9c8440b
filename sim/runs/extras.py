"""The optional extras of ``pyproject.toml``: what each is for, and one clear line when one is missing.

``pip install .`` gives the model and ``python -m sim run``. Sweeps (their Parquet store, designs, analysis,
validation and calibration), the Dask executor, the app and the EMA Workbench adapter each need an extra;
code that needs one imports it inside ``with extra(NAME):``, which turns a missing package into
:class:`MissingExtra`, a message naming the extra to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

#: extra -> (what it is for, the top-level modules it brings)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sweep": ("sweeps, their analysis, validation and calibration", ("pyarrow", "SALib", "filelock")),
    "cluster": ("the Dask executor", ("dask", "distributed")),
    "app": ("the interactive app", ("solara", "reacton", "ipyvuetify", "ipywidgets")),
    "ema": ("the EMA Workbench adapter", ("ema_workbench",)),
}


class MissingExtra(ImportError):
    """A package of an optional extra is not installed. The message is one line naming the extra."""

    def __init__(self, name: str, module: str) -> None:
        super().__init__(
            f"this needs the optional extra '{name}', for {EXTRAS[name][0]} ({module} is not installed): "
            f"pip install 'sea-layering-sim[{name}]' (or '[all]')"
        )
        self.extra = name


@contextmanager
def extra(name: str) -> Iterator[None]:
    """Import the packages of extra ``name`` inside this block: a missing one raises :class:`MissingExtra`.
    A missing module that is not the extra's goes up unchanged."""
    if name not in EXTRAS:
        raise ValueError(f"unknown extra {name!r}; the extras are {', '.join(EXTRAS)}")
    try:
        yield
    except ModuleNotFoundError as err:
        top = (err.name or "").split(".")[0]
        if top not in EXTRAS[name][1]:
            raise
        raise MissingExtra(name, top) from None
