"""docs/notebook.py runs top to bottom, from a sweep to a figure to PRIM and feature scores."""

from __future__ import annotations

import runpy
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

pytest.importorskip("ema_workbench", reason="the ema extra is not installed")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebook.py"


@pytest.mark.slow
def test_the_notebook_runs_from_a_sweep_to_scenario_discovery(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    plt.switch_backend("Agg")
    ns = runpy.run_path(str(NOTEBOOK), run_name="__main__")  # as `python docs/notebook.py` runs it
    plt.close("all")

    res = ns["res"]
    assert res.complete and len(res.runs) == 160 and (res.runs["status"] == "ok").all()
    assert Path(res.folder).resolve().parent == (tmp_path / "results" / "notebook").resolve()
    assert ns["figure"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and ns["figure"].stat().st_size > 10_000

    box, high, trajectory = ns["box"], ns["high"], ns["trajectory"]
    assert 0 < high.mean() < 1
    assert box.coverage >= 0.5 and box.density > high.mean()  # a box that concentrates high coercion
    assert trajectory.loc[ns["chosen"], "res_dim"] >= 1  # and restricts at least one input

    scores = ns["scores"]
    assert set(scores.index) == set(ns["x"].columns) and list(scores.columns) == list(ns["outcomes"])
    assert np.allclose(scores.sum(), 1.0)

    assert len(ns["ema_experiments"]) == 30 and ns["ema_outcomes"]["coercion_mean"].shape == (30,)
