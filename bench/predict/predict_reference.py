"""scikit-learn reference of batch prediction with the lab's covertype model, for benchmarking ours.

Batch prediction done the natural way with the model that bench/reference/train_reference.py saves
in final mode (the lab's Pipeline: ColumnTransformer(StandardScaler, OneHotEncoder) then
SGDClassifier(loss='log_loss')): pickle.load of <model_dir>/model.pkl, pandas.read_csv of the
input, predict_proba on the model's columns (the Cover_Type label is left out of the model's input
if present), then one JSON line per row, written with json.dumps, in Vertex AI batch prediction's
output shape:

  {"instance": {<every column of the row by name, in file order>},
   "prediction": {"label": "<most probable class>", "classes": ["0", ...], "scores": [p0, ...]}}

to <output_dir>/prediction.results-00000-of-00001. The instance is the same as in the output of
ours (bin/helpers batch-predict): all the row's columns, the label included as a string (it is not
a model input), the numeric columns as JSON numbers (integers stay integers); the JSON is compact
(no spaces after "," and ":"), as ours writes it. It prints one summary line with the time of each
stage.
"""

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402

import pandas as pd  # noqa: E402
# the model's modules, imported here so that "load" is the unpickling alone (pickle.load would
# import them itself)
import sklearn.compose  # noqa: E402,F401
import sklearn.linear_model  # noqa: E402,F401
import sklearn.pipeline  # noqa: E402,F401
import sklearn.preprocessing  # noqa: E402,F401

_IMPORTED = time.perf_counter()

LABEL = "Cover_Type"
OUTPUT_NAME = "prediction.results-00000-of-00001"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset_path", required=True)
    parser.add_argument("--model_dir", required=True)
    parser.add_argument("--output_dir", required=True)
    args = parser.parse_args()
    times = {"imports": _IMPORTED - _T0}

    start = time.perf_counter()
    with open(os.path.join(args.model_dir, "model.pkl"), "rb") as model_file:
        model = pickle.load(model_file)
    times["load"] = time.perf_counter() - start

    start = time.perf_counter()
    df = pd.read_csv(args.dataset_path)
    features = df
    if LABEL in df.columns:
        df[LABEL] = df[LABEL].astype(str)  # in the instance as a string, as ours writes it
        features = df.drop(columns=LABEL)  # pandas 3's copy-on-write: no copy of the data
    times["read"] = time.perf_counter() - start

    start = time.perf_counter()
    probabilities = model.predict_proba(features)
    times["predict"] = time.perf_counter() - start

    start = time.perf_counter()
    classes = [str(c) for c in model.classes_]
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, OUTPUT_NAME), "w") as out:
        # to_dict gives Python ints, floats and strs, so json.dumps keeps ints as ints
        for instance, scores in zip(df.to_dict("records"), probabilities.tolist()):
            label = classes[max(range(len(scores)), key=scores.__getitem__)]
            out.write(json.dumps({"instance": instance,
                                  "prediction": {"label": label, "classes": classes, "scores": scores}},
                                 separators=(",", ":")))
            out.write("\n")
    times["write"] = time.perf_counter() - start

    print("batch-predict: rows=%d (%s, total %.2fs)" % (
        len(df), ", ".join("%s %.2fs" % item for item in times.items()), time.perf_counter() - _T0))


if __name__ == "__main__":
    main()
