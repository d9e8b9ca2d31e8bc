"""Regenerates golden.tsv: BigQuery's lot of real covertype rows, computed independently of the Java code.

TO_JSON_STRING of a row of the lab's table (INT64 columns as bare numbers, STRING columns quoted, keys
in table order, no spaces) is built with Python's json module, and FARM_FINGERPRINT with pyfarmhash
(Python bindings of Google's C++ FarmHash, whose fingerprint64 gives the values BigQuery's
documentation publishes), read as a signed 64-bit integer. Each line: fingerprint, lot of 10, JSON.

  python3 -m venv /tmp/fh && /tmp/fh/bin/pip install pyfarmhash==0.5.1
  /tmp/fh/bin/python local-run/src/test/resources/split/generate.py \
      data/covertype/covertype_small.csv 300 > local-run/src/test/resources/split/golden.tsv
"""
import csv
import ctypes
import json
import sys

import farmhash

STRING_COLUMNS = {"Wilderness_Area", "Soil_Type"}


def main(path, count):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        for i, row in enumerate(reader):
            if i == count:
                break
            record = {name: (value if name in STRING_COLUMNS else int(value)) for name, value in zip(header, row)}
            text = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
            fingerprint = ctypes.c_int64(farmhash.fingerprint64(text)).value
            print("%d\t%d\t%s" % (fingerprint, abs(fingerprint) % 10, text))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
