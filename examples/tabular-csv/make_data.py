#!/usr/bin/env python3
"""Generates a synthetic tabular classification set: three classes of patients from four numeric measurements.

Each class is a Gaussian blob (its own mean per feature, shared spread) on features of very different scales (age in
years, blood pressure in mmHg, a lab value around 1, a count in the hundreds), so feature scaling matters. The label
column "diagnosis" holds text (healthy, type-a, type-b), numbered in sorted order. Fixed seed: the same files on every
machine. Only Python's standard library is used.

usage: make_data.py OUT_DIR [--rows N] [--seed S]   (writes OUT_DIR/train.csv with N rows and OUT_DIR/test.csv with N/4)
"""
import argparse, os, random

CLASSES = {  # mean of age, systolic, marker, cells per class
    "healthy": (45.0, 120.0, 0.9, 300.0),
    "type-a": (58.0, 142.0, 1.4, 340.0),
    "type-b": (51.0, 128.0, 1.1, 420.0),
}
SPREAD = (9.0, 11.0, 0.25, 45.0)
HEADER = "age,systolic,marker,cells,diagnosis"


def rows(rng, n):
    names = sorted(CLASSES)
    for _ in range(n):
        label = rng.choice(names)
        values = [rng.gauss(m, s) for m, s in zip(CLASSES[label], SPREAD)]
        yield ",".join(f"{v:.3f}" for v in values) + "," + label


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for name, n in (("train.csv", args.rows), ("test.csv", max(1, args.rows // 4))):
        with open(os.path.join(args.out, name), "w") as f:
            f.write(HEADER + "\n" + "\n".join(rows(rng, n)) + "\n")
    print(f"wrote {args.rows} training and {max(1, args.rows // 4)} test rows under {args.out}")
