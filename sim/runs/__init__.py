"""The experiment machinery: experiment files and their designs (``experiment.py``), the runner and its
executors (``runner.py``), the results store (``store.py``) and what a results folder holds as tables
(``results.py``), new output folders (``folders.py``), provenance (``provenance.py``), the experiments
shipped with the package (``shipped.py``), the posterior draws a design can read (``posterior.py``) and
the optional extras of pyproject.toml (``extras.py``). It imports the model and nothing above it."""
