"""PyTorch side of the TorchScript and weight cross-checks (PyTorchCrossCheckTests.cs).

  crosscheck.py export DIR   writes mlp.pt (torch.jit.trace) and cnn.pt (torch.jit.script, with BatchNorm), the data
                             (x.bin float32 [N,1,8,8], y.bin int64 [N]), then trains a copy of each for STEPS full-batch
                             SGD steps and writes the losses to losses.json.
  crosscheck.py check DIR    loads the safetensors files SwarmFL wrote (mlp.safetensors, cnn.safetensors, json.safetensors)
                             into the same modules with load_state_dict(strict=True) and writes their eval-mode logits on
                             the data to logits.json.

Safetensors is read without the safetensors package (Debian bookworm does not serve it): 8-byte little-endian header
length, a JSON header, then the raw little-endian tensors.
"""
import collections
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

STEPS = 5
LR = 0.1
N = 32


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(3 * 4 * 4, 4)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1))


def json_model():
    """The nn.Sequential equivalent of json-model.json (the test writes that file with the same layers)."""
    return nn.Sequential(collections.OrderedDict([
        ("0", nn.Conv2d(1, 2, 3)),
        ("1", nn.BatchNorm2d(2)),
        ("2", nn.ReLU()),
        ("3", nn.Flatten()),
        ("head", nn.Linear(2 * 6 * 6, 4)),
    ]))


def data():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(N, 1, 8, 8, generator=g)
    y = torch.randint(0, 4, (N,), generator=g)
    return x, y


def train(module, x, y):
    module.train()
    opt = torch.optim.SGD(module.parameters(), lr=LR)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(module(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    start = 8 + length
    dtypes = {"F32": np.float32, "I64": np.int64}
    state = collections.OrderedDict()
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(raw[start + begin:start + end], dtype=np.dtype(dtypes[entry["dtype"]]).newbyteorder("<"))
        state[name] = torch.from_numpy(array.copy().reshape(entry["shape"]))
    return state


def export(folder):
    torch.manual_seed(3)
    x, y = data()
    x.numpy().astype("<f4").tofile(f"{folder}/x.bin")
    y.numpy().astype("<i8").tofile(f"{folder}/y.bin")
    mlp, cnn = Mlp(), Cnn()
    # Tracing records the ops of one call, train-mode BatchNorm included (it would ignore eval()): the CNN is scripted.
    torch.jit.trace(mlp, x).save(f"{folder}/mlp.pt")
    torch.jit.script(cnn).save(f"{folder}/cnn.pt")
    losses = {"mlp": train(torch.jit.load(f"{folder}/mlp.pt"), x, y), "cnn": train(torch.jit.load(f"{folder}/cnn.pt"), x, y),
              "torch": torch.__version__}
    with open(f"{folder}/losses.json", "w") as f:
        json.dump(losses, f)


def check(folder):
    x, _ = data()
    logits = {}
    for name, module in (("mlp", Mlp()), ("cnn", Cnn()), ("json", json_model())):
        module.load_state_dict(read_safetensors(f"{folder}/{name}.safetensors"), strict=True)
        module.eval()
        with torch.no_grad():
            logits[name] = module(x).flatten().tolist()
    with open(f"{folder}/logits.json", "w") as f:
        json.dump(logits, f)


if __name__ == "__main__":
    {"export": export, "check": check}[sys.argv[1]](sys.argv[2])
