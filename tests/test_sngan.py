"""SNGAN: the standard 32x32 / 64x64 configurations, its residual blocks computed by hand,
spectral norm on every discriminator layer, the hinge objective and a few training steps.

The generic checks (every size, output range, gradients to every parameter, any objective,
resume) run for sngan through the parametrized tests in test_models / test_objectives /
test_training.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

import ganzoo
from ganzoo.layers import ConditionalBatchNorm2d, DownBlock, UpBlock
from ganzoo.models.sngan import SNGANDiscriminator, SNGANGenerator
from ganzoo.objectives import HingeLoss

from .conftest import tiny_args, train_tiny


def _conv_channels(module: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_channels, m.out_channels) for m in module.modules() if isinstance(m, nn.Conv2d)]


def _is_spectral(module: nn.Module) -> bool:
    return hasattr(module, "parametrizations") and "weight" in module.parametrizations


def test_cifar_configuration_32() -> None:
    gan = ganzoo.create("sngan", img_size=32, channels=3)
    g, d = gan.generator, gan.discriminator
    # Generator: z(128) -> 4x4x256, three up blocks of 256 channels, BN-ReLU-conv3x3 to RGB.
    assert g.latent_dim == 128 and g.base == 4 and g.project.out_features == 4 * 4 * 256
    assert [(b.conv1.in_channels, b.conv2.out_channels) for b in g.blocks] == [(256, 256)] * 3
    assert (g.to_image.in_channels, g.to_image.out_channels, g.to_image.kernel_size) == (
        256,
        3,
        (3, 3),
    )
    # Discriminator: optimized block + down block, two blocks without pooling, all 128 wide.
    assert [(b.conv2.out_channels, b.downsample, b.first) for b in d.blocks] == [
        (128, True, True),
        (128, True, False),
        (128, False, False),
        (128, False, False),
    ]
    assert d.blocks[2].shortcut is None and d.blocks[3].shortcut is None  # identity shortcuts
    assert d.score.in_features == 128 and d.score.out_features == 1
    assert F.relu(d.blocks(torch.zeros(2, 3, 32, 32))).shape == (2, 128, 8, 8)
    # Parameter counts of the published CIFAR-10 networks (Mimicry: 4.3M / 1.1M).
    assert sum(p.numel() for p in g.parameters()) == pytest.approx(4.28e6, rel=0.01)
    assert sum(p.numel() for p in d.parameters()) == pytest.approx(1.05e6, rel=0.01)


def test_configuration_64() -> None:
    gan = ganzoo.create("sngan", img_size=64, channels=3)
    g, d = gan.generator, gan.discriminator
    # Generator: 4x4x1024, channels halve per up block to 64.
    assert g.project.out_features == 4 * 4 * 1024
    assert [(b.conv1.in_channels, b.conv1.out_channels) for b in g.blocks] == [
        (1024, 512),
        (512, 256),
        (256, 128),
        (128, 64),
    ]
    # Discriminator: channels double per down block from 64 to 1024; 64 -> 2.
    assert [(b.conv2.out_channels, b.downsample) for b in d.blocks] == [
        (64, True),
        (128, True),
        (256, True),
        (512, True),
        (1024, True),
    ]
    assert F.relu(d.blocks(torch.zeros(1, 3, 64, 64))).shape == (1, 1024, 2, 2)
    assert gan.sample(2).shape == (2, 3, 64, 64)


def test_default_28x28_configuration_and_width() -> None:
    gan = ganzoo.create("sngan")
    assert gan.image_shape == (1, 28, 28) and gan.generator.base == 7
    assert len(gan.generator.blocks) == 2
    assert F.relu(gan.discriminator.blocks(torch.zeros(1, 1, 28, 28))).shape == (1, 128, 7, 7)
    tiny = ganzoo.create("sngan", width=8)
    assert {c for pair in _conv_channels(tiny.discriminator.blocks) for c in pair} == {1, 8}
    split = ganzoo.create("sngan", g_width=16, d_width=4)
    assert split.generator.project.out_features == 16 * 7 * 7
    assert split.discriminator.score.in_features == 4


@pytest.mark.parametrize("size", [28, 32, 48, 64])
def test_spectral_norm_on_every_discriminator_layer_and_none_in_the_generator(size: int) -> None:
    gan = ganzoo.create("sngan", img_size=size, width=4, num_classes=3)
    layers = (nn.Conv2d, nn.Linear, nn.Embedding)
    d_layers = [m for m in gan.discriminator.modules() if isinstance(m, layers)]
    assert len(d_layers) >= 9  # 4+ blocks of 2-3 convs, the score, the projection embedding
    assert all(_is_spectral(m) for m in d_layers)
    assert not any(_is_spectral(m) for m in gan.generator.modules())
    # The normalised weights have spectral norm 1 (after a few power iterations).
    conv = gan.discriminator.blocks[1].conv1
    for _ in range(300):
        conv(torch.zeros(1, conv.in_channels, 4, 4))
    sigma = torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2)
    assert sigma.item() == pytest.approx(1.0, abs=1e-2)


def test_recipe_and_objective_follow_the_paper() -> None:
    gan = ganzoo.create("sngan")
    assert type(gan.objective.loss) is HingeLoss and not gan.objective.regularizers
    assert gan.recipe.n_critic == 5
    for opt in (gan.recipe.g_optimizer, gan.recipe.d_optimizer):
        assert (opt.name, opt.lr, opt.betas) == ("adam", 2e-4, (0.0, 0.9))
    assert isinstance(gan.generator, SNGANGenerator)
    assert isinstance(gan.discriminator, SNGANDiscriminator)


def _batch_norm(t: Tensor) -> Tensor:
    mean = t.mean((0, 2, 3), keepdim=True)
    return (t - mean) / torch.sqrt(t.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5)


def _upsample(t: Tensor) -> Tensor:
    return t.repeat_interleave(2, -1).repeat_interleave(2, -2)


def _pool(t: Tensor) -> Tensor:
    return (t[..., ::2, ::2] + t[..., 1::2, ::2] + t[..., ::2, 1::2] + t[..., 1::2, 1::2]) / 4


def _conv(t: Tensor, conv: nn.Conv2d) -> Tensor:
    return F.conv2d(t, conv.weight, conv.bias, padding=conv.padding)


def test_up_block_matches_hand_computation() -> None:
    block = UpBlock(3, 5).train()
    x = torch.randn(4, 3, 6, 6)
    h = _conv(_upsample(F.relu(_batch_norm(x))), block.conv1)
    h = _conv(F.relu(_batch_norm(h)), block.conv2)
    skip = _conv(_upsample(x), block.shortcut)
    torch.testing.assert_close(block(x), h + skip, rtol=1e-4, atol=1e-5)
    assert block(x).shape == (4, 5, 12, 12)


@pytest.mark.parametrize(
    ("first", "downsample", "out_ch"),
    [(True, True, 5), (False, True, 5), (False, False, 3), (False, False, 5)],
)
def test_down_block_matches_hand_computation(first: bool, downsample: bool, out_ch: int) -> None:
    block = DownBlock(3, out_ch, downsample=downsample, first=first, spectral=False)
    x = torch.randn(2, 3, 8, 8)
    h = _conv(x if first else F.relu(x), block.conv1)
    h = _conv(F.relu(h), block.conv2)
    h = _pool(h) if downsample else h
    if first:  # the optimized block pools before its shortcut conv
        skip = _conv(_pool(x), block.shortcut)
    elif block.shortcut is None:
        skip = x
    else:
        skip = _conv(x, block.shortcut)
        skip = _pool(skip) if downsample else skip
    torch.testing.assert_close(block(x), h + skip, rtol=1e-4, atol=1e-5)
    assert (block.shortcut is None) == (not downsample and out_ch == 3)


def test_residual_init_follows_the_reference() -> None:
    block = UpBlock(64, 64)
    # Xavier-uniform: bound = gain * sqrt(6 / (fan_in + fan_out)); gain sqrt(2) on the residual.
    bound = math.sqrt(2) * math.sqrt(6 / (64 * 9 * 2))
    w = block.conv1.weight
    assert w.abs().max() <= bound and w.abs().max() > 0.9 * bound
    assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert torch.count_nonzero(block.conv1.bias) == 0


def test_conditional_batch_norm_matches_hand_computation() -> None:
    cbn = ConditionalBatchNorm2d(2, num_classes=3)
    with torch.no_grad():
        cbn.scale.embedding.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
        cbn.shift.embedding.weight.copy_(torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]))
    x = torch.randn(4, 2, 3, 3)
    labels = torch.tensor([2, 0, 1, 2])
    norm = _batch_norm(x)
    gamma = cbn.scale.embedding.weight[labels][:, :, None, None]
    beta = cbn.shift.embedding.weight[labels][:, :, None, None]
    torch.testing.assert_close(cbn(x, labels), gamma * norm + beta, rtol=1e-4, atol=1e-5)
    fresh = ConditionalBatchNorm2d(2, num_classes=3)  # starts as plain batch norm
    torch.testing.assert_close(fresh(x, labels), norm, rtol=1e-4, atol=1e-5)


def test_conditional_sngan_uses_projection_and_conditional_bn() -> None:
    gan = ganzoo.create("sngan", width=8, num_classes=10).eval()
    assert any(isinstance(m, ConditionalBatchNorm2d) for m in gan.generator.modules())
    d = gan.discriminator
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    labels = torch.tensor([1, 4, 9])
    with torch.no_grad():
        h = F.relu(d.blocks(x)).sum(dim=(2, 3))  # global sum pooling
        expected = d.score(h).squeeze(1) + (d.embed.weight[labels] * h).sum(1)
        torch.testing.assert_close(gan.discriminate(x, labels), expected)
        z = gan.sample_latent(3)
        same = gan.generate(z, labels.flip(0))
        assert torch.equal(gan.generate(z, labels), same)  # class gains start at 1, shifts at 0
        for m in gan.generator.modules():
            if isinstance(m, ConditionalBatchNorm2d):
                m.shift.embedding.weight.normal_()
        assert not torch.allclose(gan.generate(z, labels), gan.generate(z, labels.flip(0)))


def test_hinge_objective_terms_against_hand_computed_values() -> None:
    gan = ganzoo.create("sngan", width=8).eval()  # eval: spectral norm stops its power iteration
    real = torch.rand(6, 1, 28, 28) * 2 - 1
    fake = gan.generate(gan.sample_latent(6)).detach()
    with torch.no_grad():
        r = gan.discriminate(real).tolist()
        f = gan.discriminate(fake).tolist()
    d_expected = sum(max(0.0, 1 - v) for v in r) / 6 + sum(max(0.0, 1 + v) for v in f) / 6
    d_out = gan.objective.discriminator_loss(gan, real, fake)
    assert d_out.loss.item() == pytest.approx(d_expected, rel=1e-5)
    assert d_out.logs["d_real"].item() == pytest.approx(sum(r) / 6, rel=1e-5, abs=1e-6)
    g_out = gan.objective.generator_loss(gan, fake)
    assert g_out.loss.item() == pytest.approx(-sum(f) / 6, rel=1e-5, abs=1e-6)


def test_a_few_training_steps_are_deterministic_and_learn(tmp_path) -> None:
    torch.manual_seed(0)  # the initial weights train_tiny starts from
    before = ganzoo.create("sngan", **tiny_args("sngan")).state_dict()
    (gan, result), (twin, twin_result) = [
        train_tiny("sngan", tmp_path / str(i), 3) for i in range(2)
    ]
    assert [(r["d_loss"], r["g_loss"]) for r in result.history] == [
        (r["d_loss"], r["g_loss"]) for r in twin_result.history
    ]
    for key, value in gan.state_dict().items():
        assert torch.equal(value, twin.state_dict()[key]), key
    # n_critic = 5: the critic took 15 steps, the generator 3; both changed.
    assert result.step == 3 and len(result.history) == 3
    changed = {
        k.split(".")[0]
        for k, v in gan.state_dict().items()
        if v.is_floating_point() and not torch.equal(v, before[k])
    }
    assert {"generator", "discriminator"} <= changed
