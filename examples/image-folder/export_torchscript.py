#!/usr/bin/env python3
"""Exports this example's image classifier from PyTorch as a TorchScript file.

A small CNN for greyscale 28x28 images and 10 classes, written as an ordinary torch.nn.Module, compiled with
torch.jit.script (scripted, not traced: it has Dropout, whose train/eval switch a trace would bake in) and saved with
torch.jit.save. SwarmFL loads it with torch.jit.load, checks it with one dry forward pass on the images' shape
[1, 28, 28] and trains it in place; the chain pins the SHA-256 of the file's bytes. Needs PyTorch (Debian/Ubuntu:
`sudo apt-get install python3-torch`; tried with 1.13). Fixed seed: the same initial weights each run.

usage: export_torchscript.py OUT.pt [--channels 1] [--size 28] [--classes 10] [--seed 0]
"""
import argparse
import sys

try:
    import torch
except ImportError:
    sys.exit("export_torchscript.py needs PyTorch: on Debian or Ubuntu run `sudo apt-get install python3-torch` "
             "(or `pip install torch`), then run this script again")


class SmallCnn(torch.nn.Module):
    def __init__(self, channels: int, size: int, classes: int):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(channels, 8, kernel_size=5, padding=2)
        self.conv2 = torch.nn.Conv2d(8, 16, kernel_size=5, padding=2)
        self.pool = torch.nn.MaxPool2d(2)
        self.dropout = torch.nn.Dropout(0.25)
        self.head = torch.nn.Linear(16 * (size // 4) * (size // 4), classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.head(self.dropout(torch.flatten(x, 1)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    scripted = torch.jit.script(SmallCnn(args.channels, args.size, args.classes))
    scripted.save(args.out)
    print(f"wrote {args.out}: TorchScript CNN for [{args.channels}, {args.size}, {args.size}] images, {args.classes} classes (PyTorch {torch.__version__})")
