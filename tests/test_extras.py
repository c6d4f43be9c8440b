"""Without an optional extra, what needs it stops with one line naming the extra (exit status 2), and
what does not need it still works. A package is made missing by putting None in ``sys.modules``, in a
fresh interpreter, so nothing here depends on what this machine has installed."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sim.runs.extras import EXTRAS, MissingExtra, extra

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def without(modules: list[str], code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in which ``modules`` cannot be imported."""
    hide = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in modules)
    return subprocess.run([sys.executable, "-c", hide + code], capture_output=True, text=True, cwd=cwd, timeout=300)


CLI = "from sim.cli import main\nsys.exit(main({argv!r}))\n"


@pytest.mark.parametrize(
    ("missing", "argv", "name"),
    [
        (["pyarrow"], ["sweep", str(ROOT / "experiments" / "layering.toml"), "--out", "out"], "sweep"),
        (["pyarrow"], ["validate", "--replications", "2", "--out", "out"], "sweep"),
        (["SALib"], ["sweep", str(ROOT / "experiments" / "sobol.toml"), "--out", "out"], "sweep"),
        (["distributed"], ["sweep", str(ROOT / "experiments" / "layering.toml"), "--executor", "dask"], "cluster"),
        (["solara"], ["app", "--port", str(free_port())], "app"),
    ],
)
def test_a_command_without_its_extra_says_which_to_install_in_one_line(tmp_path, missing, argv, name):
    done = without(missing, CLI.format(argv=argv), tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"needs the optional extra '{name}'" in done.stderr
    assert f"pip install 'sea-layering-sim[{name}]'" in done.stderr
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_run_needs_no_extra(tmp_path):
    hidden = [m for _, modules in EXTRAS.values() for m in modules]
    done = without(hidden, CLI.format(argv=["run", "--steps", "3", "--out", "r", "--quiet"]), tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "actions.csv", "agents.csv", "manifest.json", "metrics.png", "summary.json", "timeseries.csv",
    ]  # fmt: skip


def test_the_python_api_names_the_extra_too(tmp_path):
    done = without(["ema_workbench"], "import sim.ema\n", tmp_path)
    assert done.returncode == 1
    assert "MissingExtra: this needs the optional extra 'ema'" in done.stderr.strip().splitlines()[-1]


def test_a_missing_module_that_is_not_the_extras_goes_up_unchanged():
    with pytest.raises(ModuleNotFoundError, match="no_such_module"), extra("sweep"):
        import no_such_module  # noqa: F401
    with pytest.raises(MissingExtra, match="extra 'sweep'"), extra("sweep"):
        raise ModuleNotFoundError("No module named 'pyarrow.parquet'", name="pyarrow.parquet")


#: distributions an extra names whose absence needs no message of ours: Mesa brings scipy and tqdm
#: with the core; solara-assets is files, never imported
NOT_IMPORTED = {"scipy", "tqdm", "solara-assets"}
#: import names that differ from the distribution's
IMPORT_NAME = {"salib": "SALib", "dask[distributed]": "distributed"}


def test_every_package_an_extra_installs_is_named_when_missing():
    """pyproject's extras and sim/runs/extras.py say the same: a package an extra installs, and the code
    imports, is one whose absence is turned into a line naming that extra."""
    import re
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for name, (_, modules) in EXTRAS.items():
        for requirement in extras[name]:
            dist = re.split(r"[<>=!~ ;]", requirement, maxsplit=1)[0].lower()
            if dist.startswith("sea-layering-sim") or dist in NOT_IMPORTED:
                continue
            assert IMPORT_NAME.get(dist, dist) in modules, (name, requirement)
