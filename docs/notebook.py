# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # From a sweep to scenario discovery
#
# A small sweep over four assumptions and one of Japan's choices, a figure of its results, then
# scenario discovery with the EMA Workbench (`sim.ema`): which combinations of inputs lead to high
# coercion at the disputed features (PRIM), and which inputs matter most for each outcome (feature
# scoring). Last, EMA samples and runs the model itself.
#
# This file is a notebook kept as plain Python in jupytext's "percent" format. Run it as a script,
# `python docs/notebook.py`, or open it in Jupyter (`jupytext --to notebook docs/notebook.py`, or
# Jupyter with the jupytext extension). It needs the `ema` extra (`pip install -e '.[ema]'`) and
# writes into the folder it runs in: the sweep goes to `results/notebook/<UTC stamp>/` and the
# figure into that folder. It takes less than half a minute on two cores.
#
# **The runs are short** (36 outlook months after a 24-month spin-up, instead of 120 after 480) and
# few, so that the notebook runs quickly. They show the method, not findings: for those, use the
# full length and more replications (see `experiments/*.toml`).

# %%
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from ema_workbench import perform_experiments
from ema_workbench.analysis import feature_scoring, prim

import sim
from sim import ema

# EMA Workbench's PRIM drops a column in place, which pandas 3.1 deprecates: the library's warning, not
# something the reader can act on
warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop is deprecated")

# %% [markdown]
# ## 1. A small sweep
#
# A Latin hypercube of 80 points over ranges of four assumptions and of Japan's share of offers
# routed through ASEAN-led mechanisms, two replications each (common random numbers: replicate *r*
# of every point has the same seed). The file format is described in `docs/experiments.md`.

# %%
EXPERIMENT = """
name = "notebook"
description = "A small Latin hypercube for the notebook (docs/notebook.py): short runs, few replications."
steps = 36
replications = 2
seed = 2025
[base]
"run.spinup" = 24
[design]
kind = "lhs"
samples = 80
[design.ranges]
"china.shipdays" = [90.0, 270.0]
"member.sovereignty" = [0.6, 1.8]
"member.retaliation" = [3.0, 9.0]
"escalation.climb" = [0.125, 0.375]
"policy.JPN.asean_coordination" = [0.0, 1.0]
"""
Path("notebook.toml").write_text(EXPERIMENT, encoding="utf-8")
res = sim.sweep("notebook.toml", workers=2)
print(f"{len(res.runs)} runs in {res.folder}, {(res.runs['status'] == 'ok').sum()} ok")

# %% [markdown]
# ## 2. A figure
#
# Each design point's mean over its replications: coercion incidents a month against China's
# deployable ship-days (coloured by the weight members give China's expected retaliation), and ASEAN
# centrality against the share Japan routes through ASEAN.

# %%
points = res.runs.groupby("point_id")[["coercion_mean", "asean_centrality_mean"]].mean().join(res.design)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
dots = left.scatter(points["china.shipdays"], points["coercion_mean"], c=points["member.retaliation"], s=18)
fig.colorbar(dots, ax=left, label="member.retaliation (utility)")
left.set(xlabel="china.shipdays (ship-days/month)", ylabel="coercion incidents a month (mean)")
right.scatter(points["policy.JPN.asean_coordination"], points["asean_centrality_mean"], s=18)
right.set(xlabel="policy.JPN.asean_coordination (share)", ylabel="ASEAN centrality (mean)")
fig.suptitle(f"{len(points)} design points x {res.runs['replicate'].nunique()} replications, 36 months each")
figure = res.folder / "notebook_sweep.png"
fig.savefig(figure, dpi=100)
print(f"wrote {figure}")

# %% [markdown]
# ## 3. Scenario discovery: PRIM
#
# `sim.ema.from_results` gives the sweep as EMA's pair (experiments, outcomes): one row per design
# point with its inputs (dots in names become underscores), and each outcome averaged over the
# point's replications. PRIM looks for a box of inputs in which high coercion (the top quarter of
# the points) is concentrated. Of the boxes along its peeling trajectory we take the densest one
# that still covers at least half of the high-coercion points.

# %%
x, outcomes = ema.from_results(res, outcomes=["coercion_mean", "asean_centrality_mean", "stability_index_mean"])
high = outcomes["coercion_mean"] > np.quantile(outcomes["coercion_mean"], 0.75)
search = prim.Prim(x, high, threshold=0.6, peel_alpha=0.1)
box = search.find_box()
trajectory = box.peeling_trajectory
chosen = int(trajectory[trajectory["coverage"] >= 0.5]["density"].idxmax())
box.select(chosen)
print(f"base rate {high.mean():.2f}; box {chosen}: coverage {box.coverage:.2f}, density {box.density:.2f}")
box.inspect()

# %% [markdown]
# ## 4. Feature scoring
#
# Extra-trees feature scores: how much each input explains of each outcome (each column sums to 1).

# %%
scores = feature_scoring.get_feature_scores_all(x, outcomes, random_state=1)
print(scores.rename_axis(None).round(3).to_string())

# %% [markdown]
# ## 5. EMA runs the model itself
#
# `sim.ema.make_model` gives EMA a `ReplicatorModel` of the model: here two of the uncertainties
# above, Japan's routing share as a lever, the same short runs. EMA samples 10 scenarios and 3
# policies (Latin hypercubes from NumPy's global generator, hence the seed) and runs every
# combination, each with two replicates whose seeds are those of a sweep with master seed 2025.

# %%
model = ema.make_model(
    uncertainties=["china.shipdays", "member.retaliation"],
    levers=["policy.JPN.asean_coordination"],
    outcomes=["coercion_mean", "stability_index_mean"],
    ranges={"china.shipdays": (90.0, 270.0), "policy.JPN.asean_coordination": (0.0, 1.0)},
    fixed={"run.spinup": 24},
    steps=36,
    replications=2,
    seed=2025,
)
np.random.seed(2025)
ema_experiments, ema_outcomes = perform_experiments(model, scenarios=10, policies=3)
print(ema_experiments[["china_shipdays", "member_retaliation", "policy_JPN_asean_coordination"]].describe().round(2))
print(f"mean coercion a month over {len(ema_experiments)} experiments: {ema_outcomes['coercion_mean'].mean():.2f}")
