#!/usr/bin/env python3
"""Exports the tabular example's MLP from PyTorch as a TorchScript file: the "bring your own PyTorch model" path.

The same network as model.json (4 features -> 32 -> ReLU -> 3 logits), written as an ordinary torch.nn.Module,
compiled with torch.jit.script and saved with torch.jit.save. SwarmFL loads the file with torch.jit.load, checks it
with one dry forward pass on the data's shape and trains it in place; the chain pins the SHA-256 of the file's bytes.
Needs PyTorch (Debian: apt-get install python3-torch; tried with 1.13). Fixed seed: the same initial weights each run.

usage: export_torchscript.py OUT.pt [--inputs 4] [--hidden 32] [--classes 3] [--seed 0]
"""
import argparse
import sys

try:
    import torch
except ImportError:
    sys.exit("export_torchscript.py needs PyTorch: on Debian or Ubuntu run `sudo apt-get install python3-torch` "
             "(or `pip install torch`), then run this script again")


class TabularMlp(torch.nn.Module):
    def __init__(self, inputs: int, hidden: int, classes: int):
        super().__init__()
        self.fc1 = torch.nn.Linear(inputs, hidden)
        self.head = torch.nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.fc1(x)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--inputs", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    scripted = torch.jit.script(TabularMlp(args.inputs, args.hidden, args.classes))
    scripted.save(args.out)
    print(f"wrote {args.out}: TorchScript MLP {args.inputs} -> {args.hidden} -> {args.classes} (PyTorch {torch.__version__})")
