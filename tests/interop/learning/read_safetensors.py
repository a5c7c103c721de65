"""Reads a safetensors file with nothing but the standard library and numpy, the way PyTorch tooling would,
checks the layout rules every safetensors reader relies on, and prints a JSON summary of each tensor
(shape, float64 sum, and selected values as exact float repr) for a test to compare."""
import json
import struct
import sys

import numpy as np


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    body = data[8 + header_len:]
    header.pop("__metadata__", None)
    out = {"header_len": header_len, "aligned": (8 + header_len) % 8 == 0, "tensors": {}}
    end_max = 0
    for name, info in header.items():
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        arr = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"])
        flat = arr.reshape(-1)
        picks = sorted({0, flat.size // 2, flat.size - 1})
        out["tensors"][name] = {
            "shape": list(arr.shape),
            "sum": float(np.sum(arr, dtype=np.float64)),
            "picks": {str(i): repr(float(flat[i])) for i in picks},
        }
        end_max = max(end_max, end)
    out["names_in_order"] = list(header.keys())
    out["data_bytes"] = len(body)
    out["covered_bytes"] = end_max
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
