"""Runs the model.onnx that `train` writes with ONNX Runtime alone, no kfp-tribuo code.

It builds the input tensor as the job dir's manifest.json describes it (`features`,
`feature_encoding`): one float32 per feature name, in that order; a numeric column's raw value;
1.0 for `column@value` where a categorical column holds that value; 0 elsewhere. The ONNX model's
outputs are `output` (decision values) and `probabilities` (scikit-learn's predict_proba), one
column per name of `labels`; a hinge model (`train --loss hinge`) has no probabilities, only
`output` (the manifest's `onnx.outputs` lists what the file has).

    python predict.py JOB_DIR ROWS.csv [--compare PREDICTIONS_DIR]

With --compare, the predictions that `helpers batch-predict` wrote for the same rows (JSON Lines
in PREDICTIONS_DIR) are read back and checked: the same label on every row and every probability
within 1e-5 (ONNX runs in float32, kfp-tribuo in float64); for a hinge model, every decision value
within 1e-4 (float32 sums of raw feature values times weights, some terms in the thousands).
"""

import argparse
import csv
import glob
import json
import os
import sys

import numpy as np
import onnxruntime as ort


def tensor(manifest, csv_path):
    features = manifest["features"]
    index = {name: i for i, name in enumerate(features)}
    numeric = {scale["feature"] for scale in manifest["numeric_columns"]}
    categorical = set(manifest["categorical_columns"])
    rows = []
    with open(csv_path, newline="", encoding="utf-8") as f:
        for record in csv.DictReader(f):
            x = np.zeros(len(features), dtype=np.float32)
            for column, value in record.items():
                if column in numeric:
                    x[index[column]] = float(value)
                elif column in categorical:
                    i = index.get(f"{column}@{value.strip()}")
                    if i is not None:  # a category unseen in training sets nothing
                        x[i] = 1.0
            rows.append(x)
    return np.stack(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job_dir")
    parser.add_argument("rows")
    parser.add_argument("--compare", metavar="PREDICTIONS_DIR")
    args = parser.parse_args()

    with open(os.path.join(args.job_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    session = ort.InferenceSession(os.path.join(args.job_dir, manifest["onnx"]["file"]))
    x = tensor(manifest, args.rows)
    # "probabilities" only where the model has them (log loss); a hinge model's scores are "output".
    names = ["output", "probabilities"] if "probabilities" in manifest["onnx"]["outputs"] else ["output"]
    results = session.run(names, {manifest["onnx"]["input"]: x})
    decision, scores = results[0], results[-1]
    labels = [manifest["labels"][k] for k in decision.argmax(axis=1)]
    kind, one = ("probabilities", "probability") if len(names) == 2 else ("decision values", "decision value")
    print(f"onnxruntime {ort.__version__}: {len(labels)} rows, input {list(x.shape)}, labels {manifest['labels']}")
    print(f"row 0: label {labels[0]}, {kind} {[round(float(p), 4) for p in scores[0]]}")

    if args.compare:
        ours = []
        for shard in sorted(glob.glob(os.path.join(args.compare, "prediction.results-*"))):
            with open(shard, encoding="utf-8") as f:
                ours.extend(json.loads(line)["prediction"] for line in f)
        if len(ours) != len(labels):
            sys.exit(f"batch-predict wrote {len(ours)} predictions for {len(labels)} rows")
        agree = sum(label == p["label"] for label, p in zip(labels, ours))
        worst = max(float(np.max(np.abs(scores[i] - np.array(p["scores"])))) for i, p in enumerate(ours))
        print(f"against batch-predict: the same label on {agree} of {len(labels)} rows; "
              f"largest {one} difference {worst:.1e}")
        # Decision values are float32 sums of raw features times weights, some terms in the thousands.
        if agree != len(labels) or worst >= (1e-5 if len(names) == 2 else 1e-4):
            sys.exit("onnxruntime and batch-predict disagree")


if __name__ == "__main__":
    main()
