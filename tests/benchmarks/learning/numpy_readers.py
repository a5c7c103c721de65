#!/usr/bin/env python3
"""The reference for the reader benchmark: numpy.loadtxt and numpy.genfromtxt on the same CSV (header skipped), MB/s.

usage: numpy_readers.py CSV [REPEATS]
"""
import os, sys, time
import numpy

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
mb = os.path.getsize(path) / 1e6
for name, read in (("loadtxt", lambda: numpy.loadtxt(path, delimiter=",", skiprows=1, dtype=numpy.float32)),
                   ("genfromtxt", lambda: numpy.genfromtxt(path, delimiter=",", skip_header=1, dtype=numpy.float32))):
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        array = read()
        rates.append(mb / (time.perf_counter() - start))
    rates.sort()
    print(f"numpy {numpy.__version__} {name}: {array.shape[0]} rows x {array.shape[1]} columns, "
          f"best {rates[-1]:.1f} MB/s, median {rates[len(rates) // 2]:.1f} MB/s")
