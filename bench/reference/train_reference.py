"""scikit-learn reference of the lab's covertype trainer, for benchmarking ours against.

It follows the logic of the lab's trainer_image/train.py (GoogleCloudPlatform/mlops-on-gcp,
workshops/kfp-caip-sklearn, lab-02): pandas.read_csv, the 10 numeric columns cast to float64,
a ColumnTransformer (StandardScaler on columns 0-9, OneHotEncoder on Wilderness_Area and
Soil_Type), a Pipeline ending in SGDClassifier(loss='log_loss', tol, alpha, max_iter), fit on the
training data (plus the validation data in final mode), accuracy on the validation data reported
through cloudml-hypertune in tuning mode.

Differences from the lab, all on purpose:
  * flags are parsed with argparse (the lab uses fire) and spelled like our Java trainer's;
  * --tol (a float or 'none') and --seed (SGDClassifier's random_state) are flags, so runs are
    repeatable and comparable; the lab fixes tol=1e-3 and leaves random_state unset;
  * OneHotEncoder(handle_unknown='ignore'), as our trainer does with unseen categories;
  * progress lines in the same 'train: ...' format as ours, with the time of each stage;
  * final mode pickles the pipeline to a local --job_dir (no gsutil).
"""

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

try:  # the lab's reporting package; a hand-written file if it is not installed
    import hypertune  # noqa: E402
except ImportError:  # pragma: no cover
    hypertune = None

_IMPORTED = time.perf_counter()

NUMERIC_COLUMNS = slice(0, 10)
CATEGORICAL_COLUMNS = slice(10, 12)
LABEL = "Cover_Type"


def log(message):
    print("train: " + message, flush=True)


def parse_bool(text):
    value = str(text).strip().lower()
    if value in ("true", "1", "yes", "y", "t"):
        return True
    if value in ("false", "0", "no", "n", "f"):
        return False
    raise argparse.ArgumentTypeError("expected True or False, got %r" % text)


def parse_tol(text):
    if str(text).strip().lower() in ("none", "null", ""):
        return None
    return float(text)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--training_dataset_path", "--training-dataset-path", required=True)
    p.add_argument("--validation_dataset_path", "--validation-dataset-path", required=True)
    p.add_argument("--alpha", type=float, default=0.0001)
    p.add_argument("--max_iter", "--max-iter", type=int, default=1000)
    p.add_argument("--hptune", type=parse_bool, nargs="?", const=True, default=False)
    p.add_argument("--tol", type=parse_tol, default=1e-3, help="a float, or 'none'")
    p.add_argument("--seed", type=int, default=0, help="SGDClassifier random_state")
    p.add_argument("--job_dir", "--job-dir", default=None)
    p.add_argument("--hyperparameter_metric_tag", default="accuracy")
    return p.parse_args(argv)


def read(path, role):
    start = time.perf_counter()
    df = pd.read_csv(path)
    log("read %s data: %d rows in %.2fs" % (role, len(df), time.perf_counter() - start))
    return df


def report(tag, accuracy, step):
    if hypertune is not None:
        hypertune.HyperTune().report_hyperparameter_tuning_metric(
            hyperparameter_metric_tag=tag, metric_value=accuracy, global_step=step)
        return os.environ.get("CLOUD_ML_HP_METRIC_FILE", "/tmp/hypertune/output.metrics")
    path = os.environ.get("CLOUD_ML_HP_METRIC_FILE", "/tmp/hypertune/output.metrics")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "a") as f:
        f.write('{"%s": "%s", "global_step": "%d", "timestamp": %f}\n' % (tag, accuracy, step, time.time()))
    return path


def main(argv):
    args = parse_args(argv)
    log("python %s numpy %s pandas %s scikit-learn %s; imports took %.2fs" % (
        sys.version.split()[0], np.__version__, pd.__version__, sklearn.__version__, _IMPORTED - _T0))

    df_train = read(args.training_dataset_path, "training")
    df_validation = read(args.validation_dataset_path, "validation")
    if not args.hptune:
        df_train = pd.concat([df_train, df_validation])

    float_columns = {c: "float64" for c in df_train.columns[NUMERIC_COLUMNS]}
    df_train = df_train.astype(float_columns)
    df_validation = df_validation.astype(float_columns)
    x_train, y_train = df_train.drop(LABEL, axis=1), df_train[LABEL]

    pipeline = Pipeline([
        ("preprocessor", ColumnTransformer(transformers=[
            ("num", StandardScaler(), NUMERIC_COLUMNS),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_COLUMNS),
        ])),
        ("classifier", SGDClassifier(loss="log_loss", tol=args.tol, random_state=args.seed)),
    ])
    pipeline.set_params(classifier__alpha=args.alpha, classifier__max_iter=args.max_iter)
    log("mode=%s loss=log_loss alpha=%s max_iter=%d tol=%s rows=%d" % (
        "tuning" if args.hptune else "final", args.alpha, args.max_iter,
        "none" if args.tol is None else args.tol, len(df_train)))

    start = time.perf_counter()
    pipeline.fit(x_train, y_train)
    seconds = time.perf_counter() - start
    epochs = int(pipeline.named_steps["classifier"].n_iter_)
    converged = args.tol is not None and epochs < args.max_iter
    log("trained: epochs=%d converged=%s time=%.2fs" % (epochs, str(converged).lower(), seconds))

    if args.hptune:
        start = time.perf_counter()
        x_val, y_val = df_validation.drop(LABEL, axis=1), df_validation[LABEL]
        accuracy = pipeline.score(x_val, y_val)
        where = report(args.hyperparameter_metric_tag, accuracy, epochs)
        log("validation accuracy=%.6f rows=%d; reported as '%s' in %s (scored in %.2fs)" % (
            accuracy, len(df_validation), args.hyperparameter_metric_tag, where,
            time.perf_counter() - start))
    else:
        if not args.job_dir:
            log("final mode without --job_dir: model not saved")
        else:
            os.makedirs(args.job_dir, exist_ok=True)
            path = os.path.join(args.job_dir, "model.pkl")
            with open(path, "wb") as f:
                pickle.dump(pipeline, f)
            log("model saved: %s" % path)
    log("total in-process time %.2fs" % (time.perf_counter() - _T0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
