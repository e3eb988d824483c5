"""Class-label conditioning."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class LabelEmbedding(nn.Module):
    """Maps integer class labels to learned vectors, checking the label range."""

    def __init__(self, num_classes: int, dim: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.embedding = nn.Embedding(num_classes, dim)

    def forward(self, labels: Tensor) -> Tensor:
        if labels.dtype.is_floating_point or labels.ndim != 1:
            raise ValueError(
                f"Labels must be a 1-d integer tensor of class ids, got {labels.dtype} "
                f"of shape {tuple(labels.shape)}."
            )
        return self.embedding(labels)


def append_label_embedding(
    x: Tensor, embed: LabelEmbedding | None, labels: Tensor | None
) -> Tensor:
    """``x`` (N, D) with the labels' embedding concatenated; ``x`` itself when unconditional."""
    return x if embed is None else torch.cat([x, embed(labels)], dim=1)


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm whose scale and shift are per-class embeddings (de Vries et al., 2017; the
    conditional generators of Miyato & Koyama, 2018). Scales start at 1, shifts at 0."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.scale = LabelEmbedding(num_classes, channels)
        self.shift = LabelEmbedding(num_classes, channels)
        nn.init.ones_(self.scale.embedding.weight)
        nn.init.zeros_(self.shift.embedding.weight)

    def forward(self, x: Tensor, labels: Tensor) -> Tensor:
        gamma = self.scale(labels)[:, :, None, None]
        beta = self.shift(labels)[:, :, None, None]
        return gamma * self.bn(x) + beta


def projection_score(
    features: Tensor, score: nn.Module, embed: nn.Module | None, labels: Tensor | None
) -> Tensor:
    """Projection discriminator output (Miyato & Koyama, 2018): ``score(h) + <embed(y), h>`` on
    pooled features ``h`` (N, C); just ``score(h)`` when unconditional. Shape (N,)."""
    out = score(features).squeeze(1)
    if embed is not None:
        out = out + (embed(labels) * features).sum(dim=1)
    return out
