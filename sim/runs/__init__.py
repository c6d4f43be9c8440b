"""The experiment machinery: experiment files and their designs (``experiment.py``), the runner and its
executors (``runner.py``), the results store (``store.py``), provenance (``provenance.py``), the
experiments shipped with the package (``shipped.py``) and the posterior draws a design can read
(``posterior.py``). It imports the model and nothing above it."""
