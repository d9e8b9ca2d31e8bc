"""scikit-learn reference of the lab's evaluate_model helper component, for benchmarking ours.

The logic of the lab's helper_components.evaluate_model (GoogleCloudPlatform/mlops-on-gcp,
workshops/kfp-caip-sklearn, lab-02): read the testing CSV with pandas, split off Cover_Type,
unpickle <model_path>/model.pkl, predict, compute the metric with scikit-learn, and return
metric_name, metric_value and the KFP metrics JSON. Differences on purpose: the model is read from
a local directory (no gsutil) and the outputs go to files, as a KFP component writes them.
"""

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402

import pandas as pd  # noqa: E402
from sklearn.metrics import accuracy_score, recall_score  # noqa: E402

_IMPORTED = time.perf_counter()


def write(path, text):
    if path:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as out:
            out.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset_path", required=True)
    parser.add_argument("--model_path", required=True)
    parser.add_argument("--metric_name", default="accuracy")
    parser.add_argument("--metric_value_output")
    parser.add_argument("--mlpipeline_metrics_output")
    args = parser.parse_args()

    df_test = pd.read_csv(args.dataset_path)
    x_test = df_test.drop("Cover_Type", axis=1)
    y_test = df_test["Cover_Type"]
    with open(os.path.join(args.model_path, "model.pkl"), "rb") as model_file:
        model = pickle.load(model_file)
    y_hat = model.predict(x_test)
    if args.metric_name == "accuracy":
        value = accuracy_score(y_test, y_hat)
    else:  # the lab's recall_score(y_test, y_hat) fails on seven classes; macro as ours
        value = recall_score(y_test, y_hat, average="macro")
    write(args.metric_value_output, str(float(value)))
    write(args.mlpipeline_metrics_output,
          json.dumps({"metrics": [{"name": args.metric_name, "numberValue": float(value), "format": "RAW"}]}))
    print("evaluate-model: %s=%s (imports %.2fs, total %.2fs)"
          % (args.metric_name, value, _IMPORTED - _T0, time.perf_counter() - _T0))


if __name__ == "__main__":
    main()
