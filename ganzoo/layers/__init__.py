"""Building blocks shared by the architectures."""

from .attention import SelfAttention2d
from .conditioning import LabelEmbedding, append_label_embedding
from .init import dcgan_init
from .norm import make_norm, maybe_spectral_norm
from .sizes import spatial_plan

__all__ = [
    "LabelEmbedding",
    "SelfAttention2d",
    "append_label_embedding",
    "dcgan_init",
    "make_norm",
    "maybe_spectral_norm",
    "spatial_plan",
]
