"""A transposed convolution from a 1x1 input, computed as the matrix product it is."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class LatentProjection(nn.ConvTranspose2d):
    """DCGAN's first layer: z, seen as a 1x1 image, to a ``kernel x kernel`` feature map.

    With a 1x1 input, stride 1 and no padding, the transposed convolution is the product of z
    with the weight flattened to ``(in_channels, out_channels * kernel**2)``; this forward
    computes it as that product, which CPUs run several times faster than the transposed
    convolution, in fp32 and in bf16 (``benchmarks/test_latent_projection.py`` measures it).
    A channels_last weight gives a channels_last output, without a copy of either.
    Parameters, ``state_dict`` and initialisation are those of ``nn.ConvTranspose2d``, so
    checkpoints load either way; other input sizes take the transposed convolution.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int, bias: bool) -> None:
        super().__init__(in_channels, out_channels, kernel, 1, 0, bias=bias)

    def forward(self, x: Tensor, output_size: list[int] | None = None) -> Tensor:
        if x.shape[-2:] != (1, 1) or output_size is not None:
            return super().forward(x, output_size)
        weight, (k_h, k_w) = self.weight, self.kernel_size
        if weight.is_contiguous() or not weight.is_contiguous(memory_format=torch.channels_last):
            y = (x.flatten(1) @ weight.flatten(1)).view(-1, self.out_channels, k_h, k_w)
        else:  # a channels_last weight is (in, k, k, out) in memory: the output comes out so
            y = x.flatten(1) @ weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)
            y = y.view(-1, k_h, k_w, self.out_channels).permute(0, 3, 1, 2)
        return y if self.bias is None else y + self.bias.view(1, -1, 1, 1)
