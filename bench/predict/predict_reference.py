"""scikit-learn reference of batch prediction with the lab's covertype model, for benchmarking ours.

Batch prediction done the natural way with the model that bench/reference/train_reference.py saves
in final mode (the lab's Pipeline: ColumnTransformer(StandardScaler, OneHotEncoder) then
SGDClassifier(loss='log_loss')): pickle.load of <model_dir>/model.pkl, pandas.read_csv of the
input (the Cover_Type label is dropped if present), predict_proba, then one JSON line per row,
written with json.dumps, in Vertex AI batch prediction's output shape:

  {"instance": {<the row's columns by name>},
   "prediction": {"label": "<most probable class>", "classes": ["0", ...], "scores": [p0, ...]}}

to <output_dir>/prediction.results-00000-of-00001. It prints one summary line with the time of
each stage.
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
    if LABEL in df.columns:
        df = df.drop(columns=LABEL)
    times["read"] = time.perf_counter() - start

    start = time.perf_counter()
    probabilities = model.predict_proba(df)
    times["predict"] = time.perf_counter() - start

    start = time.perf_counter()
    classes = [str(c) for c in model.classes_]
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, OUTPUT_NAME), "w") as out:
        # to_dict gives Python ints, floats and strs, so json.dumps keeps ints as ints
        for instance, scores in zip(df.to_dict("records"), probabilities.tolist()):
            label = classes[max(range(len(scores)), key=scores.__getitem__)]
            out.write(json.dumps({"instance": instance,
                                  "prediction": {"label": label, "classes": classes, "scores": scores}}))
            out.write("\n")
    times["write"] = time.perf_counter() - start

    print("batch-predict: rows=%d (%s, total %.2fs)" % (
        len(df), ", ".join("%s %.2fs" % item for item in times.items()), time.perf_counter() - _T0))


if __name__ == "__main__":
    main()
