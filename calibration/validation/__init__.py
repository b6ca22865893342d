"""Validation of the model and its calibration: forecasts past a cut-off, leave one episode out,
simulation-based calibration (`run.py validate`)."""
