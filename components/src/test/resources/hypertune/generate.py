"""Regenerates golden.metrics with Google's cloudml-hypertune library itself.

    python -m venv /tmp/ht && /tmp/ht/bin/pip install cloudml-hypertune==0.1.0.dev6
    /tmp/ht/bin/python generate.py > golden.metrics

time.time() is pinned so the timestamps are reproducible; HypertuneReporterTest uses the same
instants and values.
"""
import os
import sys
import tempfile
import time

import hypertune

INSTANTS = [1764503456.125, 1764503457.5, 1764503458.0]
REPORTS = [
    # (tag, value, global_step)
    ("accuracy", 0.7213, 35),
    ("accuracy", 0.1 + 0.2, None),
    ("précision", 1e-05, 7),
    ("loss", 123456789.0, 0),
    ("loss", 1e16, 3),
    ("accuracy", 1.0, 1000),
]

path = os.path.join(tempfile.mkdtemp(), "sub", "output.metrics")
os.environ["CLOUD_ML_HP_METRIC_FILE"] = path
os.environ["CLOUD_ML_TRIAL_ID"] = "7"
clock = iter(INSTANTS * 2)
time.time = lambda: next(clock)
tuner = hypertune.HyperTune()
for tag, value, step in REPORTS:
    tuner.report_hyperparameter_tuning_metric(tag, value, step)
sys.stdout.write(open(path).read())
