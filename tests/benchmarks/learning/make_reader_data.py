#!/usr/bin/env python3
"""Generates the reader benchmark's inputs: a CSV of about MB megabytes (numeric features and an integer label, header
row, fixed seed) and COUNT greyscale PNG images in 10 class folders (random 28x28 noise with a class-dependent
brightness). Standard library only; nothing is downloaded.

usage: make_reader_data.py OUT_DIR [--mb 100] [--images 10000]
"""
import argparse, os, random, struct, zlib


def png(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + pixels[r * width:(r + 1) * width] for r in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--images", type=int, default=10000)
    args = parser.parse_args()
    rng = random.Random(5)
    os.makedirs(args.out, exist_ok=True)
    features = 20
    path = os.path.join(args.out, "data.csv")
    limit = int(args.mb * 1e6)
    with open(path, "w") as f:
        f.write(",".join(f"f{i}" for i in range(features)) + ",label\n")
        written = 0
        while written < limit:
            line = ",".join(f"{rng.gauss(0, 100):.4f}" for _ in range(features)) + f",{rng.randrange(10)}\n"
            f.write(line)
            written += len(line)
    images = os.path.join(args.out, "images")
    for i in range(args.images):
        label = i % 10
        folder = os.path.join(images, str(label))
        os.makedirs(folder, exist_ok=True)
        pixels = bytes(min(255, rng.randrange(128) + 12 * label) for _ in range(28 * 28))
        with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
            f.write(png(28, 28, pixels))
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB) and {args.images} PNG files under {images}")
