"""StyleGAN2: layouts per size, equalized lr, (de)modulation, noise, style mixing, truncation,
the residual discriminator, non-saturating + lazy R1, the recipe, training and the Hub.

The generic checks (every size, output range, any objective, resume) also run for stylegan
through the parametrized tests in test_models / test_objectives / test_training.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import ganzoo
from ganzoo.cli import main as cli_main
from ganzoo.layers.style import (
    EqualLinear,
    ModulatedConv2d,
    StyledConv,
    downsample2x,
    minibatch_std,
    upsample2x,
)
from ganzoo.models.stylegan import StyleGANDiscriminator, StyleGANGenerator
from ganzoo.objectives import NonSaturatingLoss, R1Penalty, StyleGANObjective
from ganzoo.objectives.path_length import path_lengths
from ganzoo.utils.sharding import batch_shard

from .conftest import stopping_trainer, tiny_args, train_tiny

TINY = tiny_args("stylegan")


def _digits():
    """The first 256 embedded digits, as ``train_tiny`` trains on."""
    from ganzoo.data import TensorImages, load_embedded

    data = load_embedded()
    return TensorImages(data.images[:256], data.labels[:256], 10, "digits")


def _tiny(seed: int = 0, **kw) -> ganzoo.GAN:
    torch.manual_seed(seed)
    return ganzoo.create("stylegan", **{**TINY, **kw})


@pytest.mark.parametrize(("size", "base", "blocks"), [(28, 7, 2), (32, 4, 3), (64, 4, 4)])
@pytest.mark.parametrize("channels", [1, 3])
def test_builds_at_each_supported_size(size: int, base: int, blocks: int, channels: int) -> None:
    gan = _tiny(img_size=size, channels=channels)
    g, d = gan.generator, gan.discriminator
    assert tuple(g.const.shape[1:]) == (base, base) and len(g.blocks) == blocks
    assert g.num_ws == 2 + 2 * blocks
    # Channels: width (8) at full size, doubling per halving, capped at max_width (16).
    assert g.blocks[-1].conv1.bias.numel() == 8 and g.const.shape[0] == 16
    assert len(d.blocks) == blocks and d.from_rgb.weight.shape[:2] == (8, channels)
    assert d.fc.weight.shape[1] == 16 * base * base
    images = gan.generate(gan.sample_latent(4))
    assert images.shape == (4, channels, size, size)
    assert images.min() >= -1 and images.max() <= 1 and images.std() > 0
    assert gan.discriminate(images).shape == (4,)


def test_default_widths_and_mapping_network() -> None:
    gan = ganzoo.create("stylegan", img_size=32, channels=3)
    g = gan.generator
    assert (g.latent_dim, g.w_avg.shape, g.const.shape) == (128, (128,), (256, 4, 4))
    layers = g.mapping.layers
    assert len(layers) == 8 and all(layer.lr_mul == 0.01 and layer.activate for layer in layers)
    assert [b.conv1.bias.numel() for b in g.blocks] == [256, 128, 64]  # 8, 16, 32 px
    assert g.mixing_prob == 0.9


@pytest.mark.parametrize("bad", [16, 30, 48, 128])
def test_unsupported_size_is_a_clear_error(bad) -> None:
    with pytest.raises(ganzoo.ConfigError, match=r"supported sizes are 28.*32 and 64"):
        ganzoo.create("stylegan", img_size=bad)


@pytest.mark.parametrize("psi", [-0.1, 1.5, "0.5", True, float("nan")])
def test_bad_truncation_psi_is_a_clear_error(psi) -> None:
    gan = _tiny()
    with pytest.raises(ganzoo.ConfigError, match=r"psi must be a number in \[0, 1\]"):
        gan.sample(2, truncation=psi)


def test_truncation_on_a_model_without_it_is_a_clear_error() -> None:
    gan = ganzoo.create("dcgan", width=8)
    with pytest.raises(ganzoo.ConfigError, match="no truncation trick"):
        gan.sample(2, truncation=0.5)


def test_gradients_reach_every_parameter_in_training_mode() -> None:
    gan = _tiny(img_size=32, channels=3).train()
    fake = gan.generate(gan.sample_latent(6))
    real = torch.rand(6, 3, 32, 32) * 2 - 1
    loss = (fake * torch.randn_like(fake)).sum() + (gan.discriminate(real) * torch.randn(6)).sum()
    loss.backward()
    names = [n for n, _ in gan.named_parameters()]
    assert any("noise_strength" in n for n in names) and any("mapping" in n for n in names)
    for name, param in [*gan.generator.named_parameters(), *gan.discriminator.named_parameters()]:
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_equalized_linear_scales_at_run_time() -> None:
    torch.manual_seed(0)
    layer = EqualLinear(64, 32, bias_init=0.5, lr_mul=0.01)
    assert layer.weight.std().item() == pytest.approx(100.0, rel=0.1)  # N(0, 1 / lr_mul)
    x = torch.randn(5, 64)
    expected = x @ (layer.weight * 0.01 / 8).T + 0.5 * 0.01
    torch.testing.assert_close(layer(x), expected)


def test_demodulated_weights_have_unit_norm_and_keep_unit_variance() -> None:
    torch.manual_seed(0)
    conv = ModulatedConv2d(64, 16, 3, w_dim=8)
    w = torch.randn(4, 8)
    styles = conv.affine(w)
    weight = conv.modulated_weight(styles)  # (N, out, in, k, k)
    norms = weight.flatten(2).norm(dim=2)
    torch.testing.assert_close(norms, torch.ones(4, 16))
    # Unit-variance input -> unit-variance output (interior pixels: no zero padding).
    x = torch.randn(4, 64, 40, 40)
    out = conv(x, w)[:, :, 1:-1, 1:-1]
    assert out.var(dim=(0, 2, 3)).mean().item() == pytest.approx(1.0, abs=0.05)
    # The grouped conv over per-sample weights is the same operation.
    conv.fused = True
    fused = conv(x, w)
    conv.fused = False
    torch.testing.assert_close(conv(x, w), fused, rtol=1e-4, atol=1e-4)
    direct = torch.cat([F.conv2d(x[i : i + 1], weight[i], padding=1) for i in range(4)])
    torch.testing.assert_close(fused, direct, rtol=1e-4, atol=1e-4)


def test_fir_resampling_keeps_constants_and_sizes() -> None:
    x = torch.full((1, 2, 8, 8), 3.0)
    up, down = upsample2x(x), downsample2x(x)
    assert up.shape == (1, 2, 16, 16) and down.shape == (1, 2, 4, 4)
    torch.testing.assert_close(up[..., 1:-1, 1:-1], torch.full((1, 2, 14, 14), 3.0))
    torch.testing.assert_close(down[..., 1:-1, 1:-1], torch.full((1, 2, 2, 2), 3.0))
    # [1, 3, 3, 1] / 8 per axis: the interior of an upsampled ramp is linear interpolation.
    ramp = torch.arange(8.0).expand(1, 1, 8, 8)
    row = upsample2x(ramp)[0, 0, 8, 1:-1]
    torch.testing.assert_close(row[1:] - row[:-1], torch.full((13,), 0.5))


def test_minibatch_std_matches_hand_computation() -> None:
    x = torch.randn(8, 3, 2, 2)
    out = minibatch_std(x, 4)
    assert out.shape == (8, 4, 2, 2)
    for group in range(2):
        members = x[4 * group : 4 * group + 4]  # consecutive samples form a group
        expected = members.std(dim=0, unbiased=False).mean()
        torch.testing.assert_close(out[4 * group : 4 * group + 4, 3], expected.expand(4, 2, 2))
    assert minibatch_std(torch.randn(5, 3, 2, 2), 4)[:, 3].abs().max() < 1e-3  # groups of 1


def test_noise_is_random_in_training_and_fixed_in_eval() -> None:
    layer = StyledConv(4, 4, 8, resolution=6)
    layer.noise_strength.data.fill_(1.0)
    x, w = torch.randn(2, 4, 6, 6), torch.randn(2, 8)
    assert not torch.equal(layer(x, w), layer(x, w))
    layer.eval()
    assert torch.equal(layer(x, w), layer(x, w))


def test_style_mixing_changes_output_and_is_seeded() -> None:
    gan = _tiny().train()
    g = gan.generator
    z = gan.sample_latent(8)

    def run(prob: float, seed: int) -> torch.Tensor:
        g.mixing_prob = prob
        torch.manual_seed(seed)
        return g(z)

    mixed, unmixed = run(1.0, 1), run(0.0, 1)  # same noise draws, only the styles differ
    assert not torch.allclose(mixed, unmixed)
    assert torch.equal(mixed, run(1.0, 1))
    assert not torch.equal(mixed, run(1.0, 2))
    # Structure: each row of styles switches from w(z) to w(z2) at a cutoff in [1, num_ws).
    w = g.mapping(z)
    ws = g.mix_styles(w[:, None].expand(-1, g.num_ws, -1), z, None)
    for row, w1 in zip(ws, w, strict=True):
        first = torch.tensor([torch.equal(s, w1) for s in row])
        cutoff = int(first.logical_not().nonzero()[0])
        assert 1 <= cutoff < g.num_ws and first[:cutoff].all() and not first[cutoff:].any()
        assert all(torch.equal(s, row[cutoff]) for s in row[cutoff:])


def test_generator_randomness_is_drawn_per_sample_across_ranks() -> None:
    """Two data-parallel ranks, each with half the batch, draw the same noise, mixing latents
    and crossover points as one process with the whole batch."""
    gan = _tiny().train()
    z = gan.sample_latent(8)
    torch.manual_seed(5)
    whole = gan.generator(z)
    halves = []
    for rank in range(2):
        torch.manual_seed(5)
        with batch_shard(rank, 2):
            halves.append(gan.generator(z[4 * rank : 4 * rank + 4]))
    torch.testing.assert_close(torch.cat(halves), whole)


def test_truncation_trick() -> None:
    gan = _tiny()
    g = gan.generator
    with torch.no_grad():  # a trained-looking w_avg
        g.w_avg.copy_(torch.randn_like(g.w_avg))
    g.eval()
    z = gan.sample_latent(4)
    average = g(z, truncation=0.0)
    assert torch.allclose(average, average[:1].expand_as(average))  # one image for every z
    assert torch.equal(g(z, truncation=1.0), g(z))
    half = g(z, truncation=0.5)
    assert not torch.allclose(half, g(z)) and not torch.allclose(half, average)
    # The same through GAN.sample (the EMA generator, which carries w_avg too).
    gan.generator_ema.module.w_avg.copy_(g.w_avg)
    images = gan.sample(3, seed=0, truncation=0.0)
    assert torch.allclose(images, images[:1].expand_as(images))


def test_w_avg_tracks_the_mapped_latents_in_training() -> None:
    gan = _tiny().train()
    g = gan.generator
    assert torch.count_nonzero(g.w_avg) == 0
    z = gan.sample_latent(16)
    with torch.no_grad():
        target = g.mapping(z).mean(0)
        g(z)
    torch.testing.assert_close(g.w_avg, (1 - 0.995) * target)
    g.eval()
    before = g.w_avg.clone()
    g(z)
    assert torch.equal(g.w_avg, before)  # eval mode leaves it alone


def test_conditional_variant_uses_labels() -> None:
    gan = _tiny(num_classes=3).eval()
    z = gan.sample_latent(3).repeat(2, 1)
    labels = torch.tensor([0, 1, 2, 2, 1, 0])
    with torch.no_grad():
        images = gan.generate(z, labels)
    assert not torch.allclose(images[:3], images[3:])
    assert gan.discriminate(images, labels).shape == (6,)


def test_recipe_objective_and_lazy_adam_correction() -> None:
    gan = ganzoo.create("stylegan")
    assert type(gan.objective.loss) is NonSaturatingLoss
    (r1,) = gan.objective.regularizers
    assert isinstance(r1, R1Penalty) and (r1.weight, r1.every) == (0.1, 16)
    g, d = gan.recipe.g_optimizer, gan.recipe.d_optimizer
    assert (g.name, g.lr, g.betas) == ("adam", 0.0025, (0.0, 0.99))
    c = 16 / 17
    assert d.lr == pytest.approx(0.0025 * c) and d.betas == pytest.approx((0.0, 0.99**c))
    assert gan.recipe.ema_decay > 0 and gan.recipe.n_critic == 1
    assert isinstance(gan.generator, StyleGANGenerator)
    assert isinstance(gan.discriminator, StyleGANDiscriminator)


def test_objective_terms_against_hand_computed_values() -> None:
    gan = _tiny(regularizers=[{"name": "r1", "weight": 2.0, "every": 16}]).double()
    real = torch.rand(4, 1, 28, 28, dtype=torch.float64) * 2 - 1
    fake = gan.generate(gan.sample_latent(4).double()).detach()
    with torch.no_grad():
        r, f = gan.discriminate(real), gan.discriminate(fake)
    adversarial = (F.softplus(-r).mean() + F.softplus(f).mean()).item()
    # R1 by hand: the input gradient of sum D(real), a few entries checked by finite differences.
    x = real.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(gan.discriminate(x).sum(), x)
    for index in [(0, 0, 5, 7), (3, 0, 27, 0), (2, 0, 14, 14)]:
        bumped = [real.clone(), real.clone()]
        bumped[0][index] += 1e-6
        bumped[1][index] -= 1e-6
        with torch.no_grad():
            numeric = (gan.discriminate(bumped[0]).sum() - gan.discriminate(bumped[1]).sum()) / 2e-6
        assert grad[index].item() == pytest.approx(numeric.item(), rel=1e-4, abs=1e-8)
    r1 = 0.5 * 2.0 * grad.square().sum(dim=(1, 2, 3)).mean().item()
    assert r1 > 0
    for step, lazy in [(0, True), (1, False), (15, False), (16, True), (32, True)]:
        out = gan.objective.discriminator_loss(gan, real, fake, step=step)
        expected = adversarial + (16 * r1 if lazy else 0.0)
        assert out.loss.item() == pytest.approx(expected, rel=1e-6), step
        assert ("r1" in out.logs) == lazy
        if lazy:
            assert out.logs["r1"].item() == pytest.approx(r1, rel=1e-6)
    g_out = gan.objective.generator_loss(gan, fake)
    assert g_out.loss.item() == pytest.approx(F.softplus(-f).mean().item(), rel=1e-6)


def test_a_few_training_steps_are_deterministic_and_learn(tmp_path) -> None:
    torch.manual_seed(0)  # the initial weights train_tiny starts from
    before = ganzoo.create("stylegan", **TINY).state_dict()
    (gan, result), (twin, twin_result) = [
        train_tiny("stylegan", tmp_path / str(i), 3) for i in range(2)
    ]
    assert [(r["d_loss"], r["g_loss"]) for r in result.history] == [
        (r["d_loss"], r["g_loss"]) for r in twin_result.history
    ]
    for key, value in gan.state_dict().items():
        assert torch.equal(value, twin.state_dict()[key]), key
    assert "r1" in result.history[0] and "r1" not in result.history[1]  # lazy: d_step 0 only
    changed = {k for k, v in gan.state_dict().items() if not torch.equal(v, before[k])}
    assert "generator.w_avg" in changed and "generator.mapping.layers.0.weight" in changed
    assert any(k.startswith("discriminator.") for k in changed)
    assert any("noise_strength" in k and k.startswith("generator.") for k in changed)


def test_hub_round_trip_keeps_w_avg_and_truncated_samples(tmp_path) -> None:
    gan = _tiny(img_size=28)
    with torch.no_grad():
        for module in (gan.generator, gan.generator_ema.module):
            module.w_avg.copy_(torch.linspace(-1, 1, module.w_avg.numel()))
    folder = gan.save_pretrained(tmp_path / "repo")
    loaded = ganzoo.from_pretrained(folder)
    assert loaded.config == gan.config
    torch.testing.assert_close(loaded.sampler.w_avg, gan.sampler.w_avg, rtol=0, atol=0)
    assert torch.equal(
        loaded.sample(4, seed=1, truncation=0.7), gan.sample(4, seed=1, truncation=0.7)
    )
    full = ganzoo.from_pretrained(folder, generator_only=False)
    for key, value in gan.state_dict().items():
        assert torch.equal(value, full.state_dict()[key]), key
    # The CLI's sample command takes --truncation, and refuses it for a model without it.
    png = tmp_path / "grid.png"
    args = ["sample", str(folder), "--n", "4", "--out", str(png)]
    assert cli_main([*args, "--truncation", "0.5"]) == 0 and png.exists()
    assert cli_main([*args, "--truncation", "2"]) == 2
    dcgan = ganzoo.create("dcgan", width=8).save_pretrained(tmp_path / "dc")
    assert cli_main(["sample", str(dcgan), "--out", str(png), "--truncation", "0.5"]) == 2


def test_generator_constructed_directly_checks_mixing_prob() -> None:
    with pytest.raises(ganzoo.ConfigError, match="mixing_prob"):
        StyleGANGenerator(mixing_prob=1.5)
    assert math.isclose(StyleGANGenerator(width=4, max_width=8, w_dim=8).w_avg_beta, 0.995)


def test_path_lengths_match_finite_differences() -> None:
    """||J_w^T y|| by autograd equals the same quantity from central differences of g(w).y."""
    gan = _tiny().double().eval()  # eval: fixed noise, so synthesis is a function of ws
    g = gan.generator
    ws = g.styles(gan.sample_latent(2).double()).detach().requires_grad_(True)
    y = torch.randn(2, 1, 28, 28, dtype=torch.float64) / 28
    lengths = path_lengths(g.synthesis, ws, y)
    numeric = torch.zeros_like(ws)
    flat = numeric.view(2, -1)
    for i in range(flat.shape[1]):
        bump = torch.zeros_like(ws).view(2, -1)
        bump[:, i] = 1e-6
        with torch.no_grad():
            up = (g.synthesis(ws + bump.view_as(ws)) * y).flatten(1).sum(1)
            down = (g.synthesis(ws - bump.view_as(ws)) * y).flatten(1).sum(1)
        flat[:, i] = (up - down) / 2e-6
    expected = numeric.square().sum(2).mean(1).sqrt()
    torch.testing.assert_close(lengths.detach(), expected, rtol=1e-5, atol=1e-9)


def test_path_length_penalty_is_lazy_tracks_its_mean_and_reaches_the_generator() -> None:
    gan = _tiny(pl_weight=2.0, pl_every=4, pl_decay=0.5)
    obj = gan.objective
    assert isinstance(obj, StyleGANObjective) and "path-length" in obj.terms
    c = 4 / 5  # G's Adam gets the lazy correction too
    g_opt = gan.recipe.g_optimizer
    assert g_opt.lr == pytest.approx(0.0025 * c) and g_opt.betas == pytest.approx((0.0, 0.99**c))
    fake = gan.generate(gan.sample_latent(8))
    plain = gan.objective.generator_loss(gan, fake, step=1)
    assert "g_pl_penalty" not in plain.logs and obj.pl_mean.item() == 0
    torch.manual_seed(3)
    out = obj.generator_loss(gan, fake, step=4)
    torch.manual_seed(3)  # the same draws, for the value by hand
    z = gan.sample_latent(4)  # half the batch
    lengths = path_lengths(gan.generator.synthesis, gan.generator.styles(z))
    hand_mean = 0.5 * lengths.mean().item()  # from 0, half way (pl_decay 0.5) to the batch mean
    assert obj.pl_mean.item() == pytest.approx(hand_mean, rel=1e-5)
    penalty = (lengths.detach() - hand_mean).square().mean().item()
    assert out.logs["g_pl_penalty"].item() == pytest.approx(penalty, rel=1e-4)
    adversarial = plain.loss.item()
    assert out.loss.item() == pytest.approx(adversarial + 2.0 * 4 * penalty, rel=1e-4)
    gan.generator.zero_grad()
    obj.path_length_penalty(gan, 4)[0].backward()
    synthesis = [p for n, p in gan.generator.named_parameters() if not n.startswith("mapping")]
    assert all(p.grad is not None for p in synthesis)
    assert gan.generator.mapping.layers[0].weight.grad.abs().sum() > 0


def test_path_length_off_by_default_and_bad_settings() -> None:
    gan = _tiny()
    assert gan.objective.pl_weight == 0 and "path-length" not in gan.objective.terms
    assert gan.config["pl_weight"] == 0.0
    for kwargs, message in [
        ({"pl_weight": -1.0}, "pl_weight must be >= 0"),
        ({"pl_every": 0}, "pl_every must be an integer >= 1"),
        ({"pl_batch_shrink": 1.5}, "pl_batch_shrink"),
        ({"pl_decay": 2.0}, "pl_decay"),
    ]:
        with pytest.raises(ganzoo.ConfigError, match=message):
            _tiny(**kwargs)


def test_training_with_path_length_logs_it_and_resumes_exactly(tmp_path) -> None:
    (gan, result), (_, twin) = [
        train_tiny("stylegan", tmp_path / str(i), 5, pl_weight=2.0) for i in range(2)
    ]
    assert [r["g_loss"] for r in result.history] == [r["g_loss"] for r in twin.history]
    logged = ["g_pl_penalty" in r for r in result.history]
    assert logged == [True, False, False, False, True]  # generator steps 0 and 4
    assert gan.objective.pl_mean.item() > 0
    torch.manual_seed(0)
    resumed = ganzoo.create("stylegan", **TINY, pl_weight=2.0)
    stopper = stopping_trainer(3)
    digits = _digits()
    stopper(
        resumed,
        digits,
        tmp_path / "split",
        steps=5,
        batch_size=16,
        log_every=1,
        progress=False,
        num_samples=20,
        gif=False,
    ).fit()
    again = ganzoo.create("stylegan", **TINY, pl_weight=2.0)
    ganzoo.Trainer(
        again,
        digits,
        tmp_path / "split",
        steps=5,
        batch_size=16,
        log_every=1,
        progress=False,
        num_samples=20,
        gif=False,
        resume=True,
    ).fit()
    for key, value in gan.state_dict().items():
        assert torch.equal(value, again.state_dict()[key]), key
