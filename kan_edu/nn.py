"""kan_edu.nn: small network builders that several chapters share.

Each builder returns a plain ``torch.nn`` module that prints readably, and builds it from a seed of its own
(the global random state is left as it was), so that the same call gives the same weights in every chapter.

- :func:`mlp`: a fully connected network, ``sizes = [inputs, hidden..., outputs]`` (UDL chapter 4).
- :func:`mnist1d_cnn`: a small 1-D convolutional classifier for MNIST-1D's 40-sample signals: a few
  convolutions of kernel 3 and stride 2, each followed by a ReLU, then one linear layer (UDL chapter 10). With
  the defaults it has 2,050 parameters.
"""

from __future__ import annotations

import torch

from ._validate import choice, module, random_seed, size, sizes

MAX_PARAMETERS = 10**8  # a builder refuses a network larger than this (400 MB of float32)

__all__ = ["ACTIVATIONS", "mlp", "mnist1d_cnn", "n_parameters"]

#: The activations the builders know, by name.
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "silu": torch.nn.SiLU, "sigmoid": torch.nn.Sigmoid}


def _seeded(seed: int, build):
    """``build()`` with torch's generator seeded by ``seed``, leaving the global state untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        return build()


def mlp(widths, activation: str = "relu", seed: int = 0) -> torch.nn.Sequential:
    """Linear layers of ``widths = [d_in, h_1, ..., d_out]`` with ``activation`` between them (none at the end).

    Weights use torch's default initialisation, drawn from ``seed``.
    """
    widths = sizes("widths", widths, min_length=2)
    act = ACTIVATIONS[choice("activation", activation, ACTIVATIONS)]
    seed = random_seed("seed", seed)
    count = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))
    if count > MAX_PARAMETERS:
        raise ValueError(f"widths {widths} give {count:,} parameters, more than {MAX_PARAMETERS:,}: too large")

    def build():
        layers: list[torch.nn.Module] = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            if i:
                layers.append(act())
            layers.append(torch.nn.Linear(a, b))
        return torch.nn.Sequential(*layers)

    return _seeded(seed, build)


def mnist1d_cnn(
    channels: int = 15, layers: int = 3, length: int = 40, n_classes: int = 10, seed: int = 0
) -> torch.nn.Sequential:
    """A 1-D CNN for signals of shape (batch, ``length``): ``layers`` convolutions (kernel 3, stride 2, no
    padding, ``channels`` channels, ReLU after each), then a linear layer to ``n_classes`` logits.

    Each convolution maps a length ``L`` to ``(L - 3) // 2 + 1``; ``length`` must leave at least one position
    after the last. The defaults give 40 → 19 → 9 → 4 positions and 2,050 parameters.
    """
    channels, layers = size("channels", channels, maximum=4096), size("layers", layers, maximum=32)
    length, n_classes = size("length", length, maximum=10**7), size("n_classes", n_classes, maximum=10**6)
    seed = random_seed("seed", seed)
    if channels * (channels * 3 + 1) * layers > MAX_PARAMETERS:
        raise ValueError(
            f"channels {channels} with {layers} layers is more than {MAX_PARAMETERS:,} parameters: too large"
        )
    out_len = length
    for _ in range(layers):
        out_len = (out_len - 3) // 2 + 1
        if out_len < 1:
            raise ValueError(
                f"length {length} is too short for {layers} convolutions of kernel 3 and stride 2: nothing is left"
            )

    def build():
        modules: list[torch.nn.Module] = [torch.nn.Unflatten(1, (1, length))]
        c_in = 1
        for _ in range(layers):
            modules += [torch.nn.Conv1d(c_in, channels, kernel_size=3, stride=2), torch.nn.ReLU()]
            c_in = channels
        modules += [torch.nn.Flatten(), torch.nn.Linear(channels * out_len, n_classes)]
        return torch.nn.Sequential(*modules)

    return _seeded(seed, build)


def n_parameters(model: torch.nn.Module) -> int:
    """The number of trainable numbers in ``model``."""
    return sum(p.numel() for p in module("model", model).parameters() if p.requires_grad)
