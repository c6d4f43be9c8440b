"""The science on top of runs: validation against 2007-2024 (``validate.py``), calibration
(``calibrate.py``), statistics of a sweep (``analysis.py``), its report (``report.py``) and figures
(``plots.py``). It imports the model and the experiment machinery, never the faces."""
