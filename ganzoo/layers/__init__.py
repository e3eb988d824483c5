"""Building blocks shared by the architectures."""

from .attention import SelfAttention2d
from .conditioning import (
    ConditionalBatchNorm2d,
    LabelEmbedding,
    append_label_embedding,
    projection_score,
)
from .init import dcgan_init
from .norm import make_norm, maybe_spectral_norm
from .projection import LatentProjection
from .resblocks import DownBlock, UpBlock
from .sizes import spatial_plan

__all__ = [
    "ConditionalBatchNorm2d",
    "DownBlock",
    "LabelEmbedding",
    "LatentProjection",
    "SelfAttention2d",
    "UpBlock",
    "append_label_embedding",
    "dcgan_init",
    "make_norm",
    "maybe_spectral_norm",
    "projection_score",
    "spatial_plan",
]
