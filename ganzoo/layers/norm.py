"""Normalisation layers chosen by name, and optional spectral normalisation."""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ..errors import unknown_name

NORMS = ("batch", "instance", "layer", "none")


def make_norm(kind: str, channels: int, dims: int = 2) -> nn.Module:
    """``batch`` | ``instance`` | ``layer`` (over C, H, W) | ``none`` for ``channels`` features."""
    if kind == "batch":
        return nn.BatchNorm2d(channels) if dims == 2 else nn.BatchNorm1d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True) if dims == 2 else nn.Identity()
    if kind == "layer":
        return nn.GroupNorm(1, channels) if dims == 2 else nn.LayerNorm(channels)
    if kind == "none":
        return nn.Identity()
    raise unknown_name("normalization", kind, NORMS)


def maybe_spectral_norm(module: nn.Module, enabled: bool) -> nn.Module:
    """Wrap ``module`` in spectral normalisation (Miyato et al., 2018) when ``enabled``."""
    return spectral_norm(module) if enabled else module
