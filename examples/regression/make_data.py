#!/usr/bin/env python3
"""Generates a synthetic regression set: house prices from five numeric features, with noise.

price = 50 + 1.8·area + 12·rooms − 0.9·age + 25·sin(distance) + 0.4·area·quality + noise (σ = 8), in thousands; the
features have different scales, and the sine and the product make a linear model fall short of an MLP. Fixed seed.
Only Python's standard library is used.

usage: make_data.py OUT_DIR [--rows N] [--seed S]   (writes OUT_DIR/train.csv with N rows and OUT_DIR/test.csv with N/4)
"""
import argparse, math, os, random

HEADER = "area,rooms,age,distance,quality,price"


def rows(rng, n):
    for _ in range(n):
        area, rooms, age = rng.uniform(30, 200), rng.randint(1, 7), rng.uniform(0, 80)
        distance, quality = rng.uniform(0, 6), rng.uniform(0, 1)
        price = 50 + 1.8 * area + 12 * rooms - 0.9 * age + 25 * math.sin(distance) + 0.4 * area * quality + rng.gauss(0, 8)
        yield f"{area:.2f},{rooms},{age:.1f},{distance:.3f},{quality:.3f},{price:.2f}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for name, n in (("train.csv", args.rows), ("test.csv", max(1, args.rows // 4))):
        with open(os.path.join(args.out, name), "w") as f:
            f.write(HEADER + "\n" + "\n".join(rows(rng, n)) + "\n")
    print(f"wrote {args.rows} training and {max(1, args.rows // 4)} test rows under {args.out}")
