"""Writes mnist-2nn as TorchScript (torch.jit.script) for the model benchmark: 784-200-200-10 with ReLU, named fc1..fc3
like the built-in, so the same safetensors genesis fits both."""
import sys

import torch
from torch import nn


class Mnist2nn(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 200)
        self.fc2 = nn.Linear(200, 200)
        self.fc3 = nn.Linear(200, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


torch.jit.script(Mnist2nn()).save(sys.argv[1])
