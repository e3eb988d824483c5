"""Every registered model that generates from noise builds at every supported size, with correct
shapes, ranges and gradients (translation models: tests/test_translation.py)."""

from __future__ import annotations

import pytest
import torch

import ganzoo
from ganzoo.layers import LatentProjection, SelfAttention2d
from ganzoo.models import AuxiliaryClassifierDiscriminator

from .conftest import noise_models, tiny_args

SIZES = [(28, 1), (32, 1), (32, 3), (64, 1), (64, 3)]
MODELS = noise_models()


def _build(name: str, img_size: int, channels: int) -> ganzoo.GAN:
    return ganzoo.create(name, img_size=img_size, channels=channels, **tiny_args(name))


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(("img_size", "channels"), SIZES)
def test_generator_output_shape_and_range(name: str, img_size: int, channels: int) -> None:
    gan = _build(name, img_size, channels)
    labels = gan.sample_labels(5)
    images = gan.generate(gan.sample_latent(5), labels)
    assert images.shape == (5, channels, img_size, img_size)
    assert images.min() >= -1 and images.max() <= 1
    assert images.std() > 0  # not a constant image
    scores = gan.discriminate(images, labels)
    assert scores.shape == (5,)
    assert torch.isfinite(scores).all()
    assert gan.sample(3).shape == (3, channels, img_size, img_size)


@pytest.mark.parametrize("name", MODELS)
def test_gradients_reach_every_parameter(name: str) -> None:
    gan = _build(name, 32, 3)
    for module in gan.modules():
        if isinstance(module, SelfAttention2d):  # gamma starts at 0, which blocks the branch
            module.gamma.data.fill_(0.5)
    labels = gan.sample_labels(6)
    fake = gan.generate(gan.sample_latent(6), labels)
    # Random projections avoid cancellations (e.g. a bias whose gradient sums to zero).
    loss_g = (fake * torch.randn_like(fake)).sum()
    real = torch.rand(6, 3, 32, 32) * 2 - 1
    loss_d = (gan.discriminate(real, labels) * torch.randn(6)).sum()
    if isinstance(gan.discriminator, AuxiliaryClassifierDiscriminator):  # its class head too
        _, logits = gan.discriminate_and_classify(real)
        loss_d = loss_d + (logits * torch.randn_like(logits)).sum()
    (loss_g + loss_d).backward()
    for pname, param in gan.named_parameters():
        if pname.startswith("generator_ema."):  # the EMA copy follows the weights, not gradients
            continue
        assert param.grad is not None, f"{name}: no gradient reaches {pname}"
        assert param.grad.abs().sum() > 0, f"{name}: zero gradient for {pname}"


@pytest.mark.parametrize("name", MODELS)
def test_objective_losses_backpropagate_to_both_networks(name: str) -> None:
    gan = _build(name, 28, 1)
    labels = gan.sample_labels(8)
    real = torch.rand(8, 1, 28, 28) * 2 - 1
    fake = gan.generate(gan.sample_latent(8), labels)
    d_out = gan.objective.discriminator_loss(gan, real, fake, labels)
    d_out.loss.backward()
    assert all(p.grad is None for p in gan.generator.parameters()), "D loss must not touch G"
    assert any(p.grad is not None for p in gan.discriminator.parameters())
    g_out = gan.objective.generator_loss(gan, fake, labels, real)
    g_out.loss.backward()
    assert all(p.grad is not None for p in gan.generator.parameters())


def test_supported_size_list_is_real() -> None:
    for size in (28, 32, 48, 64, 128):
        assert ganzoo.create("dcgan", img_size=size, width=4).sample(1).shape[-1] == size


@pytest.mark.parametrize("bad_size", [30, 8, 0, -4])
def test_unsupported_size_is_a_clear_error(bad_size: int) -> None:
    with pytest.raises(ganzoo.ConfigError, match=r"img_size|cannot make"):
        ganzoo.create("dcgan", img_size=bad_size)


@pytest.mark.parametrize("bad_channels", [0, -3])
def test_bad_channel_count_is_a_clear_error(bad_channels: int) -> None:
    with pytest.raises(ganzoo.ConfigError, match="channels"):
        ganzoo.create("sagan", channels=bad_channels)


def test_wrong_input_shape_names_expected_shape() -> None:
    gan = ganzoo.create("dcgan", width=8)
    with pytest.raises(ganzoo.ConfigError, match=r"\(N, 1, 28, 28\)"):
        gan.discriminate(torch.zeros(2, 3, 32, 32))
    with pytest.raises(ganzoo.ConfigError, match="latent codes of shape"):
        gan.generate(torch.zeros(2, 7))


def test_conditional_models_need_labels_and_use_them() -> None:
    gan = ganzoo.create("cgan", width=8).eval()
    z = gan.sample_latent(4)
    with pytest.raises(ganzoo.ConfigError, match="conditional"):
        gan.generate(z)
    with torch.no_grad():
        zeros = gan.generate(z, torch.zeros(4, dtype=torch.long))
        sevens = gan.generate(z, torch.full((4,), 7))
    assert not torch.allclose(zeros, sevens)  # the label changes the image
    samples = gan.sample(10, labels=list(range(10)), seed=1)
    assert samples.shape == (10, 1, 28, 28)
    with pytest.raises(ganzoo.ConfigError, match="unconditional"):
        ganzoo.create("dcgan", width=8).generate(z, torch.zeros(4, dtype=torch.long))


def test_sample_is_seeded_and_leaves_training_mode() -> None:
    gan = ganzoo.create("dcgan", width=8).train()
    a, b = gan.sample(4, seed=3), gan.sample(4, seed=3)
    assert torch.equal(a, b)
    assert not torch.equal(a, gan.sample(4, seed=4))
    assert gan.generator.training


def test_model_defaults_follow_the_papers() -> None:
    wgan = ganzoo.create("wgan")
    assert wgan.recipe.n_critic == 5 and wgan.recipe.d_optimizer.name == "rmsprop"
    assert wgan.recipe.d_optimizer.lr == pytest.approx(5e-5)
    assert [type(r).__name__ for r in wgan.objective.regularizers] == ["WeightClipping"]
    gp = ganzoo.create("wgan-gp")
    assert gp.recipe.n_critic == 5
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in gp.discriminator.modules())
    assert [type(r).__name__ for r in gp.objective.regularizers] == ["GradientPenalty"]
    sagan = ganzoo.create("sagan")
    assert type(sagan.objective.loss).__name__ == "HingeLoss"
    assert (sagan.recipe.g_optimizer.lr, sagan.recipe.d_optimizer.lr) == (1e-4, 4e-4)
    assert any(isinstance(m, SelfAttention2d) for m in sagan.generator.modules())
    assert any(isinstance(m, SelfAttention2d) for m in sagan.discriminator.modules())
    sn = [n for n, _ in sagan.named_parameters() if "parametrizations.weight.original" in n]
    assert sn, "SAGAN uses spectral norm"
    vanilla = ganzoo.create("vanilla")
    assert vanilla.latent_dim == 100 and vanilla.recipe.g_optimizer.betas == (0.5, 0.999)
    assert type(ganzoo.create("lsgan").objective.loss).__name__ == "LeastSquaresLoss"
    assert ganzoo.create("cgan").num_classes == 10


@pytest.mark.parametrize("name", ["sagan", "sngan"])
def test_discriminator_sees_most_of_a_28px_digit(name: str) -> None:
    """One pre-pooling feature's receptive field covers >= 20 of 28 px. A SAGAN critic of
    strided convolutions alone judged 10-px patches, and its generator collapsed onto one image."""
    torch.manual_seed(0)
    d = ganzoo.create(name, img_size=28, channels=1).discriminator.eval()
    body = d.net if name == "sagan" else d.blocks
    x = torch.randn(1, 1, 28, 28, requires_grad=True)
    h = body(x)
    h[0, :, h.shape[2] // 2, h.shape[3] // 2].sum().backward()
    rows = x.grad[0, 0].abs().sum(dim=1).nonzero()
    assert rows.max() - rows.min() + 1 >= 20


@pytest.mark.parametrize("channels_last", [False, True])
def test_latent_projection_is_the_transposed_conv_it_replaces(channels_last: bool) -> None:
    """Same map and gradients as nn.ConvTranspose2d with its weights, in either weight layout
    (the trainer's channels_last switch converts it), and the same state_dict keys."""
    torch.manual_seed(0)
    projection = LatentProjection(10, 6, 4, bias=True)
    conv = torch.nn.ConvTranspose2d(10, 6, 4, 1, 0, bias=True)
    conv.load_state_dict(projection.state_dict())
    if channels_last:
        projection = projection.to(memory_format=torch.channels_last)
    z = torch.randn(5, 10, 1, 1)
    out, expected = projection(z), conv(z)
    torch.testing.assert_close(out, expected)
    assert out.is_contiguous(memory_format=torch.channels_last) == channels_last
    grad = torch.randn_like(expected)
    out.backward(grad)
    expected.backward(grad)
    for name, param in conv.named_parameters():
        torch.testing.assert_close(dict(projection.named_parameters())[name].grad, param.grad)
    wider = torch.randn(2, 10, 3, 3)  # not a 1x1 input: the transposed convolution itself
    torch.testing.assert_close(projection(wider), conv(wider))
