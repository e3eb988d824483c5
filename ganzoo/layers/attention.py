"""Self-attention over the positions of a feature map (SAGAN, Zhang et al. 2019)."""

from __future__ import annotations

import torch
from einops import rearrange
from torch import Tensor, nn

from .norm import maybe_spectral_norm


class SelfAttention2d(nn.Module):
    """SAGAN attention block: ``x + gamma * attention(x)``, with ``gamma`` starting at 0."""

    def __init__(self, channels: int, spectral: bool = True) -> None:
        super().__init__()
        inner = max(channels // 8, 1)
        value = max(channels // 2, 1)
        self.query = maybe_spectral_norm(nn.Conv2d(channels, inner, 1, bias=False), spectral)
        self.key = maybe_spectral_norm(nn.Conv2d(channels, inner, 1, bias=False), spectral)
        self.value = maybe_spectral_norm(nn.Conv2d(channels, value, 1, bias=False), spectral)
        self.out = maybe_spectral_norm(nn.Conv2d(value, channels, 1, bias=False), spectral)
        self.pool = nn.MaxPool2d(2) if channels >= 8 else nn.Identity()
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: Tensor) -> Tensor:
        height, width = x.shape[-2:]
        pooled = self.pool(x) if height % 2 == 0 and width % 2 == 0 else x
        q = rearrange(self.query(x), "b c h w -> b (h w) c")
        k = rearrange(self.key(pooled), "b c h w -> b c (h w)")
        v = rearrange(self.value(pooled), "b c h w -> b (h w) c")
        attn = torch.softmax(q @ k, dim=-1)
        out = rearrange(attn @ v, "b (h w) c -> b c h w", h=height, w=width)
        return x + self.gamma * self.out(out)
