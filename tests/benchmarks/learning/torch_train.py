"""Plain PyTorch reference for the mnist-cnn training-throughput benchmark: the same model (5x5 conv 32, 2x2 max
pool, 5x5 conv 64, 2x2 max pool, FC 512, FC 10; 'same' padding), the same standardised MNIST images, batch size and
thread count, SGD lr 0.05, tensors already in memory. Prints samples/s (best and median of REPEATS epochs, default 5,
after a warm-up).

usage: torch_train.py DATA_DIR BATCH THREADS SAMPLES [REPEATS]"""
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "i" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = nn.Linear(7 * 7 * 64, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def epoch(model, opt, images, labels, batch, batches):
    start = time.perf_counter()
    for b in range(batches):
        x = images[b * batch:(b + 1) * batch]
        y = labels[b * batch:(b + 1) * batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return batches * batch / (time.perf_counter() - start)


def main(data_dir, batch, threads, samples, repeats):
    torch.set_num_threads(threads)
    folder = os.path.join(data_dir, "data") if os.path.isdir(os.path.join(data_dir, "data")) else data_dir
    images = read_idx(os.path.join(folder, "train-images-idx3-ubyte"))[:samples]
    labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))[:samples]
    x = torch.from_numpy(((images.astype(np.float32) / 255 - 0.1307) / 0.3081).reshape(-1, 1, 28, 28).copy())
    y = torch.from_numpy(labels.astype(np.int64))
    torch.manual_seed(1)
    model = Cnn()
    assert sum(p.numel() for p in model.parameters()) == 1663370
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    epoch(model, opt, x, y, batch, min(20, samples // batch))  # warm-up
    rates = [epoch(model, opt, x, y, batch, samples // batch) for _ in range(repeats)]
    print(f"pytorch {torch.__version__} mnist-cnn B={batch} threads={threads} samples={samples}, best of {repeats}: "
          f"{max(rates):.0f} samples/s, median {sorted(rates)[len(rates) // 2]:.0f} (runs: {', '.join(f'{r:.0f}' for r in rates)})")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 5)
