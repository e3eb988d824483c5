"""Adversarial losses, regularizers, the Objective and its builders, on every architecture.

Expected values are computed independently of ganzoo: loss values with plain ``math`` from the
papers' formulas, penalties with closed forms (linear critics) or a hand-written autograd pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
from torch import Tensor, nn

import ganzoo
from ganzoo.objectives import (
    AdversarialLoss,
    GradientPenalty,
    HingeLoss,
    LeastSquaresLoss,
    MinimaxLoss,
    NonSaturatingLoss,
    Objective,
    R1Penalty,
    Regularizer,
    WassersteinLoss,
    WeightClipping,
    build_loss,
    build_objective,
    build_regularizer,
    list_objectives,
    list_regularizers,
)
from ganzoo.objectives.regularizers import loss_scaling

from .conftest import noise_models, tiny_args

Critic = Callable[[Tensor], Tensor]

REAL = [2.0, -1.0]
FAKE = [0.5, -3.0]

LOSS_CLASSES: dict[str, type[AdversarialLoss]] = {
    "non-saturating": NonSaturatingLoss,
    "minimax": MinimaxLoss,
    "least-squares": LeastSquaresLoss,
    "wasserstein": WassersteinLoss,
    "hinge": HingeLoss,
}
REGULARIZER_CLASSES: dict[str, type[Regularizer]] = {
    "gradient-penalty": GradientPenalty,
    "r1": R1Penalty,
    "weight-clipping": WeightClipping,
}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _relu(x: float) -> float:
    return max(0.0, x)


# name -> (expected discriminator loss, expected generator loss), straight from the papers.
EXPECTED = {
    # Goodfellow et al.: D = -log sigmoid(r) - log(1 - sigmoid(f)); G (non-sat.) = -log sigmoid(f)
    "non-saturating": (
        _mean([-math.log(_sigmoid(r)) for r in REAL])
        + _mean([-math.log(1 - _sigmoid(f)) for f in FAKE]),
        _mean([-math.log(_sigmoid(f)) for f in FAKE]),
    ),
    # Minimax: same D, G minimises log(1 - sigmoid(f))
    "minimax": (
        _mean([-math.log(_sigmoid(r)) for r in REAL])
        + _mean([-math.log(1 - _sigmoid(f)) for f in FAKE]),
        _mean([math.log(1 - _sigmoid(f)) for f in FAKE]),
    ),
    # LSGAN, a=0, b=1, c=1: D = 1/2 E[(D(x)-1)^2] + 1/2 E[D(G(z))^2]; G = 1/2 E[(D(G(z))-1)^2]
    "least-squares": (
        0.5 * _mean([(r - 1) ** 2 for r in REAL]) + 0.5 * _mean([f**2 for f in FAKE]),
        0.5 * _mean([(f - 1) ** 2 for f in FAKE]),
    ),
    # WGAN: critic minimises E[D(fake)] - E[D(real)]; G minimises -E[D(fake)]
    "wasserstein": (_mean(FAKE) - _mean(REAL), -_mean(FAKE)),
    # Hinge: D = E[relu(1 - r)] + E[relu(1 + f)]; G = -E[f]
    "hinge": (
        _mean([_relu(1 - r) for r in REAL]) + _mean([_relu(1 + f) for f in FAKE]),
        -_mean(FAKE),
    ),
}


# --------------------------------------------------------------------------------------------
# 1. Adversarial losses against hand-computed values
# --------------------------------------------------------------------------------------------


def test_expected_values_are_not_degenerate() -> None:
    # The fixed logits must exercise both sides of the hinge and differ between losses.
    assert EXPECTED["hinge"] == (1.0 + 0.75, 1.25)
    assert EXPECTED["non-saturating"][1] != pytest.approx(EXPECTED["minimax"][1])


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_loss_matches_paper_formula(name: str) -> None:
    loss = LOSS_CLASSES[name]()
    real = torch.tensor(REAL, dtype=torch.float64)
    fake = torch.tensor(FAKE, dtype=torch.float64)
    d_expected, g_expected = EXPECTED[name]

    d_loss = loss.discriminator_loss(real, fake)
    g_loss = loss.generator_loss(fake)

    assert d_loss.shape == () and g_loss.shape == ()
    assert d_loss.item() == pytest.approx(d_expected, rel=1e-12, abs=1e-12)
    assert g_loss.item() == pytest.approx(g_expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_loss_float32_matches_formula(name: str) -> None:
    loss = LOSS_CLASSES[name]()
    d_loss = loss.discriminator_loss(torch.tensor(REAL), torch.tensor(FAKE))
    g_loss = loss.generator_loss(torch.tensor(FAKE))
    d_expected, g_expected = EXPECTED[name]
    assert d_loss.dtype == torch.float32
    assert d_loss.item() == pytest.approx(d_expected, rel=1e-6, abs=1e-6)
    assert g_loss.item() == pytest.approx(g_expected, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_loss_is_a_batch_mean(name: str) -> None:
    # Repeating the batch must not change a mean-reduced loss.
    loss = LOSS_CLASSES[name]()
    real = torch.tensor(REAL * 3, dtype=torch.float64)
    fake = torch.tensor(FAKE * 3, dtype=torch.float64)
    d_expected, g_expected = EXPECTED[name]
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(d_expected, rel=1e-12)
    assert loss.generator_loss(fake).item() == pytest.approx(g_expected, rel=1e-12)


def test_loss_gradients_match_hand_derivatives() -> None:
    # d/df of the non-saturating G loss -log sigmoid(f), averaged: -(1 - sigmoid(f)) / N.
    fake = torch.tensor(FAKE, dtype=torch.float64, requires_grad=True)
    NonSaturatingLoss().generator_loss(fake).backward()
    expected = [-(1 - _sigmoid(f)) / len(FAKE) for f in FAKE]
    assert fake.grad.tolist() == pytest.approx(expected, rel=1e-12)

    # Minimax G loss log(1 - sigmoid(f)): derivative -sigmoid(f) / N.
    fake = torch.tensor(FAKE, dtype=torch.float64, requires_grad=True)
    MinimaxLoss().generator_loss(fake).backward()
    assert fake.grad.tolist() == pytest.approx([-_sigmoid(f) / 2 for f in FAKE], rel=1e-12)

    # Hinge D loss: only the non-saturated terms carry gradient.
    real = torch.tensor(REAL, dtype=torch.float64, requires_grad=True)
    fake = torch.tensor(FAKE, dtype=torch.float64, requires_grad=True)
    HingeLoss().discriminator_loss(real, fake).backward()
    assert real.grad.tolist() == pytest.approx([0.0, -0.5])
    assert fake.grad.tolist() == pytest.approx([0.5, 0.0])

    # LSGAN D loss: (r - 1) / N for real, f / N for fake.
    real = torch.tensor(REAL, dtype=torch.float64, requires_grad=True)
    fake = torch.tensor(FAKE, dtype=torch.float64, requires_grad=True)
    LeastSquaresLoss().discriminator_loss(real, fake).backward()
    assert real.grad.tolist() == pytest.approx([(r - 1) / 2 for r in REAL])
    assert fake.grad.tolist() == pytest.approx([f / 2 for f in FAKE])


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_loss_gradient_directions(name: str) -> None:
    # Below the "real" target (1 for LSGAN/hinge) raising a score lowers D's loss on real data
    # and G's loss; above the "fake" target (0 for LSGAN) raising a fake score raises D's loss.
    loss = LOSS_CLASSES[name]()
    real = torch.linspace(-3, 0.5, 7, dtype=torch.float64, requires_grad=True)
    fake = torch.linspace(0.25, 3, 7, dtype=torch.float64, requires_grad=True)
    loss.discriminator_loss(real, fake).backward()
    assert (real.grad < 0).all()
    assert (fake.grad > 0).all()
    fake_g = torch.linspace(-3, 0.5, 7, dtype=torch.float64, requires_grad=True)
    loss.generator_loss(fake_g).backward()
    assert (fake_g.grad < 0).all()


# --------------------------------------------------------------------------------------------
# Small fixed critics
# --------------------------------------------------------------------------------------------

IMG = (2, 3, 3)  # (C, H, W) of the toy images
DIM = 2 * 3 * 3


def _linear_critic(norm: float, bias: float = 0.7) -> tuple[nn.Linear, Critic]:
    """D(x) = w . flatten(x) + b with ||w|| == ``norm``."""
    layer = nn.Linear(DIM, 1).double()
    with torch.no_grad():
        w = torch.arange(1, DIM + 1, dtype=torch.float64) * torch.tensor([1.0, -1.0] * (DIM // 2))
        layer.weight.copy_((w / w.norm() * norm).unsqueeze(0))
        layer.bias.fill_(bias)
    return layer, lambda x: layer(x.flatten(1)).squeeze(1)


def _conv_critic() -> tuple[nn.Module, Critic]:
    """A tiny nonlinear critic whose input gradient depends on the input."""
    torch.manual_seed(123)
    net = nn.Sequential(
        nn.Conv2d(IMG[0], 3, 3, padding=1),
        nn.Tanh(),
        nn.Flatten(),
        nn.Linear(3 * IMG[1] * IMG[2], 4),
        nn.Softplus(),
        nn.Linear(4, 1),
    ).double()
    return net, lambda x: net(x).squeeze(1)


def _batch(n: int = 5, seed: int = 7) -> tuple[Tensor, Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = torch.rand(n, *IMG, generator=gen, dtype=torch.float64) * 2 - 1
    fake = torch.rand(n, *IMG, generator=gen, dtype=torch.float64) * 2 - 1
    return real, fake


def _per_sample_sq_norm(grad: Tensor) -> Tensor:
    return (grad.reshape(grad.shape[0], -1) ** 2).sum(dim=1)


# --------------------------------------------------------------------------------------------
# 2. Gradient penalty
# --------------------------------------------------------------------------------------------


def test_gradient_penalty_matches_independent_computation() -> None:
    _, critic = _conv_critic()
    real, fake = _batch()
    weight = 3.5
    torch.manual_seed(2024)
    got = GradientPenalty(weight=weight).penalty(critic, real, fake)

    torch.manual_seed(2024)
    eps = torch.rand(real.shape[0], 1, 1, 1, dtype=real.dtype)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)
    norms = _per_sample_sq_norm(grad).sqrt()
    expected = weight * ((norms - 1) ** 2).mean()

    assert got.shape == ()
    assert got.item() == pytest.approx(expected.item(), rel=1e-10)
    # The input gradient really varies with the interpolation point, so eps matters.
    assert norms.std() > 1e-3
    torch.manual_seed(999)
    other = GradientPenalty(weight=weight).penalty(critic, real, fake)
    assert other.item() != pytest.approx(expected.item(), rel=1e-6)


def test_gradient_penalty_under_loss_scaling_equals_the_unscaled_one() -> None:
    """fp16 training scales the critic's scores before the input gradient and unscales it."""
    _, critic = _conv_critic()
    real, fake = _batch()
    torch.manual_seed(7)
    plain = GradientPenalty(weight=10.0).penalty(critic, real, fake)
    torch.manual_seed(7)
    with loss_scaling(torch.tensor(2.0**16, dtype=real.dtype)):
        scaled = GradientPenalty(weight=10.0).penalty(critic, real, fake)
    assert scaled.item() == pytest.approx(plain.item(), rel=1e-9)
    torch.manual_seed(7)
    with loss_scaling(torch.tensor(float("inf"), dtype=real.dtype)):  # an overflowed scale
        assert not GradientPenalty(weight=10.0).penalty(critic, real, fake).isfinite()


def test_gradient_penalty_interpolates_per_sample() -> None:
    # With D(x) = 0.5 * ||x||^2 the input gradient is x itself, so the norms reveal x_hat.
    real, fake = _batch(n=4)
    torch.manual_seed(5)
    got = GradientPenalty(weight=1.0).penalty(lambda x: 0.5 * _per_sample_sq_norm(x), real, fake)
    torch.manual_seed(5)
    eps = torch.rand(4, 1, 1, 1, dtype=torch.float64)
    x_hat = eps * real + (1 - eps) * fake
    expected = ((_per_sample_sq_norm(x_hat).sqrt() - 1) ** 2).mean()
    assert got.item() == pytest.approx(expected.item(), rel=1e-10)


@pytest.mark.parametrize(("norm", "weight"), [(3.0, 10.0), (0.25, 2.0), (1.0, 10.0)])
def test_gradient_penalty_closed_form_for_linear_critic(norm: float, weight: float) -> None:
    layer, critic = _linear_critic(norm)
    real, fake = _batch()
    penalty = GradientPenalty(weight=weight).penalty(critic, real, fake)
    assert penalty.item() == pytest.approx(weight * (norm - 1) ** 2, rel=1e-10, abs=1e-12)

    # Differentiable w.r.t. the critic: d/dw weight*(||w||-1)^2 = 2*weight*(||w||-1)*w/||w||.
    penalty.backward()
    w = layer.weight.detach()
    expected_grad = 2 * weight * (norm - 1) * w / norm
    torch.testing.assert_close(layer.weight.grad, expected_grad, rtol=1e-9, atol=1e-12)
    if norm != 1.0:
        assert layer.weight.grad.abs().sum() > 0


def test_gradient_penalty_with_zero_input_gradient_is_finite() -> None:
    # D(x) = relu(w . x): sample 0 lies where D is flat (zero gradient, norm 0), sample 1 where
    # the gradient is w. Interpolation keeps each sample on its side, so the penalty is exact.
    layer, linear = _linear_critic(norm=2.0, bias=0.0)
    w = layer.weight.detach().view(1, *IMG)
    real = torch.stack([-w[0], w[0]])
    fake = torch.stack([-2 * w[0], 3 * w[0]])
    weight = 5.0
    penalty = GradientPenalty(weight=weight).penalty(lambda x: torch.relu(linear(x)), real, fake)
    assert penalty.item() == pytest.approx(weight * ((0 - 1) ** 2 + (2 - 1) ** 2) / 2, rel=1e-10)
    penalty.backward()
    assert torch.isfinite(layer.weight.grad).all()
    # Only sample 1 contributes: d/dw weight/2 * (||w|| - 1)^2 = weight * (||w|| - 1) * w / ||w||
    expected = weight * (2 - 1) * layer.weight.detach() / 2
    torch.testing.assert_close(layer.weight.grad, expected, rtol=1e-9, atol=1e-12)


def test_gradient_penalty_backpropagates_to_nonlinear_critic_only() -> None:
    net, critic = _conv_critic()
    generator = nn.Linear(3, DIM).double()
    real, _ = _batch()
    fake = generator(torch.randn(real.shape[0], 3, dtype=torch.float64)).view(-1, *IMG)
    penalty = GradientPenalty().penalty(critic, real, fake)
    assert penalty.requires_grad
    penalty.backward()
    # Every weight shapes the input gradient (the output bias alone does not).
    grads = [p.grad for name, p in net.named_parameters() if name != "5.bias"]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert all(g.abs().sum() > 0 for g in grads)
    # Real and fake batches are detached: the penalty never reaches the generator.
    assert all(p.grad is None for p in generator.parameters())


def test_gradient_penalty_default_weight_and_every() -> None:
    gp = GradientPenalty()
    assert gp.weight == 10.0 and gp.every == 1
    assert gp.after_discriminator_step(nn.Linear(2, 2)) is None
    with pytest.raises(ValueError, match="every"):
        GradientPenalty(every=0)
    with pytest.raises(ValueError, match="every"):
        R1Penalty(every=-1)


# --------------------------------------------------------------------------------------------
# 3. R1 penalty
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("norm", "weight"), [(3.0, 10.0), (0.5, 1.0)])
def test_r1_closed_form_for_linear_critic(norm: float, weight: float) -> None:
    layer, critic = _linear_critic(norm)
    real, fake = _batch()
    penalty = R1Penalty(weight=weight).penalty(critic, real, fake)
    assert penalty.item() == pytest.approx(weight / 2 * norm**2, rel=1e-10)
    # d/dw (weight/2 * ||w||^2) = weight * w
    penalty.backward()
    torch.testing.assert_close(layer.weight.grad, weight * layer.weight.detach(), rtol=1e-9, atol=0)


def test_r1_matches_autograd_on_nonlinear_critic() -> None:
    net, critic = _conv_critic()
    real, fake = _batch()
    weight = 4.0
    got = R1Penalty(weight=weight).penalty(critic, real, fake)

    x = real.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    expected = weight / 2 * _per_sample_sq_norm(grad).mean()
    assert got.item() == pytest.approx(expected.item(), rel=1e-10)

    # R1 is on real data only: another fake batch changes nothing.
    _, other_fake = _batch(seed=99)
    assert R1Penalty(weight=weight).penalty(critic, real, other_fake).item() == pytest.approx(
        expected.item(), rel=1e-12
    )
    # And it is differentiable w.r.t. the critic's parameters.
    got.backward()
    grads = [p.grad for name, p in net.named_parameters() if name != "5.bias"]
    assert all(g is not None and g.abs().sum() > 0 for g in grads)
    assert real.grad is None


# --------------------------------------------------------------------------------------------
# 4. Weight clipping
# --------------------------------------------------------------------------------------------


def test_weight_clipping_clamps_every_parameter() -> None:
    torch.manual_seed(3)
    disc = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 1))
    with torch.no_grad():
        for p in disc.parameters():
            p.copy_(torch.randn_like(p))
    before = [p.detach().clone() for p in disc.parameters()]
    clip = 0.05
    reg = WeightClipping(clip=clip)
    assert reg.penalty(lambda x: x, torch.zeros(1), torch.zeros(1)) is None

    reg.after_discriminator_step(disc)
    for old, new in zip(before, disc.parameters(), strict=True):
        assert new.abs().max() <= clip
        torch.testing.assert_close(new.detach(), old.clamp(-clip, clip), rtol=0, atol=0)
    assert any((old.abs() > clip).any() for old in before)  # something was clipped


def test_weight_clipping_through_objective_touches_only_discriminator() -> None:
    gan = ganzoo.create("wgan", **tiny_args("wgan"))
    assert any(isinstance(r, WeightClipping) for r in gan.objective.regularizers)
    with torch.no_grad():
        for p in gan.parameters():
            p.fill_(0.5)
    gan.objective.after_discriminator_step(gan)
    assert all(p.abs().max() <= 0.01 for p in gan.discriminator.parameters())
    assert all((p == 0.5).all() for p in gan.generator.parameters())


@pytest.mark.parametrize("clip", [0.0, -0.01])
def test_weight_clipping_rejects_non_positive_clip(clip: float) -> None:
    with pytest.raises(ValueError, match="clip"):
        WeightClipping(clip=clip)
    with pytest.raises(ValueError, match="clip"):
        build_regularizer({"name": "clip", "clip": clip})


# --------------------------------------------------------------------------------------------
# 5 & 8. The Objective: logs and lazy regularization
# --------------------------------------------------------------------------------------------


def _hinge_d(real: list[float], fake: list[float]) -> float:
    return _mean([_relu(1 - r) for r in real]) + _mean([_relu(1 + f) for f in fake])


def _real_batch(gan: ganzoo.GAN, n: int = 4) -> Tensor:
    return torch.rand(n, *gan.image_shape) * 2 - 1


def test_discriminator_logs_match_discriminator_outputs() -> None:
    gan = ganzoo.create("dcgan", objective="hinge", **tiny_args("dcgan")).eval()
    real = _real_batch(gan)
    fake = gan.generate(gan.sample_latent(4))
    out = gan.objective.discriminator_loss(gan, real, fake)

    with torch.no_grad():
        real_out = gan.discriminate(real)
        fake_out = gan.discriminate(fake)
    assert real_out.mean() != pytest.approx(fake_out.mean().item())
    assert out.logs["d_real"].item() == pytest.approx(real_out.mean().item(), rel=1e-6)
    assert out.logs["d_fake"].item() == pytest.approx(fake_out.mean().item(), rel=1e-6)
    hinge = _hinge_d(real_out.tolist(), fake_out.tolist())
    assert out.logs["d_loss_adv"].item() == pytest.approx(hinge, rel=1e-5)
    assert out.loss.item() == pytest.approx(hinge, rel=1e-5)
    assert out.logs["d_loss"].item() == pytest.approx(out.loss.item())
    assert all(not v.requires_grad for v in out.logs.values())

    # The fake batch is detached: D's loss never reaches the generator.
    out.loss.backward()
    assert all(p.grad is None for p in gan.generator.parameters())
    assert any(
        p.grad is not None and p.grad.abs().sum() > 0 for p in gan.discriminator.parameters()
    )

    gan.zero_grad(set_to_none=True)
    g_out = gan.objective.generator_loss(gan, fake)
    assert g_out.logs["g_loss"].item() == pytest.approx(-fake_out.mean().item(), rel=1e-5)
    g_out.loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in gan.generator.parameters())


def test_lazy_regularization_schedule_and_scaling() -> None:
    gan = ganzoo.create("wgan-gp", **tiny_args("wgan-gp")).eval()
    objective = Objective(
        WassersteinLoss(), [R1Penalty(weight=2.0, every=4), GradientPenalty(weight=10.0, every=2)]
    )
    real = _real_batch(gan)
    fake = gan.generate(gan.sample_latent(4)).detach()

    with torch.no_grad():
        adversarial = (gan.discriminate(fake).mean() - gan.discriminate(real).mean()).item()
    x = real.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(gan.discriminate(x).sum(), x)
    r1 = (2.0 / 2 * _per_sample_sq_norm(grad).mean()).item()
    assert r1 > 0

    seen_r1, seen_gp = [], []
    for step in range(9):
        out = objective.discriminator_loss(gan, real, fake, step=step)
        logs = out.logs
        assert logs["d_loss_adv"].item() == pytest.approx(adversarial, rel=1e-5, abs=1e-7)
        expected = adversarial
        if step % 4 == 0:
            seen_r1.append(step)
            assert logs["r1"].item() == pytest.approx(r1, rel=1e-5)
            expected += 4 * logs["r1"].item()
        else:
            assert "r1" not in logs
        if step % 2 == 0:
            seen_gp.append(step)
            assert logs["gradient-penalty"].item() > 0
            expected += 2 * logs["gradient-penalty"].item()
        else:
            assert "gradient-penalty" not in logs
        assert out.loss.item() == pytest.approx(expected, rel=1e-5, abs=1e-6)
        assert logs["d_loss"].item() == pytest.approx(out.loss.item())
    assert seen_r1 == [0, 4, 8]
    assert seen_gp == [0, 2, 4, 6, 8]


def test_lazy_penalty_is_scaled_in_the_gradient_too() -> None:
    # Linear critic on a tiny GAN-like wrapper: only the penalty term carries a w-gradient
    # proportional to every * weight * w at the steps where it is applied.
    gan = ganzoo.create("vanilla", hidden=[8], d_hidden=[]).eval()
    disc_linear = gan.discriminator.net[-1]
    assert isinstance(disc_linear, nn.Linear) and len(gan.discriminator.net) == 1
    objective = Objective(LeastSquaresLoss(), [R1Penalty(weight=1.0, every=3)])
    real = torch.zeros(4, *gan.image_shape)  # D(real) = D(fake) = bias, no w-gradient from LS
    fake = torch.zeros(4, *gan.image_shape)
    w = disc_linear.weight.detach().clone()
    for step, factor in [(0, 3.0), (1, 0.0), (3, 3.0)]:
        gan.zero_grad(set_to_none=True)
        objective.discriminator_loss(gan, real, fake, step=step).loss.backward()
        torch.testing.assert_close(disc_linear.weight.grad, factor * w, rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------------------------
# 6. Builders: names, aliases, specs and errors
# --------------------------------------------------------------------------------------------


def test_list_objectives_and_regularizers() -> None:
    assert list_objectives() == sorted(LOSS_CLASSES)
    assert ganzoo.list_objectives() == sorted(LOSS_CLASSES)
    assert list_regularizers() == sorted(REGULARIZER_CLASSES)
    assert ganzoo.list_regularizers() == sorted(REGULARIZER_CLASSES)
    for name, cls in {**LOSS_CLASSES, **REGULARIZER_CLASSES}.items():
        assert cls.name == name


@pytest.mark.parametrize(
    ("spec", "cls"),
    [
        ("non-saturating", NonSaturatingLoss),
        ("ns", NonSaturatingLoss),
        ("bce", NonSaturatingLoss),
        ("vanilla", NonSaturatingLoss),
        ("non_saturating", NonSaturatingLoss),
        ("NS", NonSaturatingLoss),
        ("minimax", MinimaxLoss),
        ("least-squares", LeastSquaresLoss),
        ("least_squares", LeastSquaresLoss),
        ("ls", LeastSquaresLoss),
        ("lsgan", LeastSquaresLoss),
        ("mse", LeastSquaresLoss),
        ("wasserstein", WassersteinLoss),
        ("wgan", WassersteinLoss),
        ("w", WassersteinLoss),
        ("hinge", HingeLoss),
        (" Hinge ", HingeLoss),
    ],
)
def test_build_loss_names_and_aliases(spec: str, cls: type[AdversarialLoss]) -> None:
    loss = build_loss(spec)
    assert type(loss) is cls


def test_build_loss_passes_instances_through() -> None:
    loss = HingeLoss()
    assert build_loss(loss) is loss


@pytest.mark.parametrize(
    ("spec", "cls"),
    [
        ("gradient-penalty", GradientPenalty),
        ("gradient_penalty", GradientPenalty),
        ("gp", GradientPenalty),
        ("wgan-gp", GradientPenalty),
        ("wgan_gp", GradientPenalty),
        ("r1", R1Penalty),
        ("R1", R1Penalty),
        ("weight-clipping", WeightClipping),
        ("weight_clipping", WeightClipping),
        ("clip", WeightClipping),
        ("clipping", WeightClipping),
    ],
)
def test_build_regularizer_names_and_aliases(spec: str, cls: type[Regularizer]) -> None:
    assert type(build_regularizer(spec)) is cls
    assert type(build_regularizer({"name": spec})) is cls


def test_build_regularizer_mapping_arguments() -> None:
    spec = {"name": "r1", "weight": 2.0}
    r1 = build_regularizer(spec)
    assert isinstance(r1, R1Penalty) and r1.weight == 2.0 and r1.every == 1
    assert spec == {"name": "r1", "weight": 2.0}  # the caller's mapping is left intact

    gp = build_regularizer({"name": "gp", "weight": 5.0, "every": 3})
    assert isinstance(gp, GradientPenalty) and gp.weight == 5.0 and gp.every == 3

    clip = build_regularizer({"name": "clipping", "clip": 0.05})
    assert isinstance(clip, WeightClipping) and clip.clip == 0.05

    instance = R1Penalty(weight=0.1)
    assert build_regularizer(instance) is instance


@pytest.mark.parametrize(
    ("builder", "typo", "suggestion"),
    [
        (build_loss, "hinje", "hinge"),
        (build_loss, "wassersteen", "wasserstein"),
        (build_loss, "least-square", "least-squares"),
        (build_regularizer, "gradient-penalti", "gradient-penalty"),
        (build_regularizer, {"name": "weight-cliping"}, "weight-clipping"),
    ],
)
def test_unknown_names_raise_with_suggestion(builder, typo, suggestion: str) -> None:
    with pytest.raises(ganzoo.UnknownNameError) as info:
        builder(typo)
    message = str(info.value)
    assert suggestion in message
    assert "Did you mean" in message
    assert isinstance(info.value, KeyError)  # catchable like a dict lookup


def test_unknown_objective_through_create_and_build_objective() -> None:
    with pytest.raises(ganzoo.UnknownNameError, match="hinge"):
        build_objective("hinje")
    with pytest.raises(ganzoo.UnknownNameError, match="hinge"):
        ganzoo.create("dcgan", objective="hinje", **tiny_args("dcgan"))


@pytest.mark.parametrize(
    "spec",
    [
        {"weight": 1.0},
        {"Name": "r1"},
        {"name": "r1", "wieght": 1.0},
        {"name": "gp", "clip": 0.1},
        {"name": "clip", "every": 2},
        {"name": "r1", "weight": 1.0, "extra": True},
    ],
)
def test_bad_regularizer_mappings_raise_config_error(spec: dict) -> None:
    with pytest.raises(ganzoo.ConfigError):
        build_regularizer(spec)
    with pytest.raises(ganzoo.ConfigError):
        build_objective("wgan", [spec])


def test_build_objective_combinations() -> None:
    obj = build_objective("wgan", ["gp", {"name": "r1", "weight": 0.5, "every": 16}])
    assert isinstance(obj, Objective)
    assert type(obj.loss) is WassersteinLoss
    assert [type(r) for r in obj.regularizers] == [GradientPenalty, R1Penalty]
    assert obj.regularizers[1].weight == 0.5 and obj.regularizers[1].every == 16

    # A single name or mapping is accepted as a one-element list.
    single = build_objective("hinge", "r1")
    assert [type(r) for r in single.regularizers] == [R1Penalty]
    mapping = build_objective("ns", {"name": "clip", "clip": 0.02})
    assert [type(r) for r in mapping.regularizers] == [WeightClipping]
    assert mapping.regularizers[0].clip == 0.02

    plain = build_objective(LeastSquaresLoss())
    assert type(plain.loss) is LeastSquaresLoss and len(plain.regularizers) == 0
    assert build_objective(obj) is obj

    # Regularizers are submodules, so they travel with state_dict/repr.
    assert "GradientPenalty" in repr(obj) and "every=16" in repr(obj)


# --------------------------------------------------------------------------------------------
# 7. Any architecture with any objective (and any penalty)
# --------------------------------------------------------------------------------------------

MODELS = noise_models()  # translation models: tests/test_translation.py
OBJECTIVES = ganzoo.list_objectives()


def _finite_scalar(t: Tensor) -> bool:
    return t.ndim == 0 and bool(torch.isfinite(t))


@pytest.mark.parametrize("loss_name", OBJECTIVES)
@pytest.mark.parametrize("model", MODELS)
def test_any_model_with_any_objective(model: str, loss_name: str) -> None:
    gan = ganzoo.create(model, objective=loss_name, **tiny_args(model))
    assert type(gan.objective.loss) is LOSS_CLASSES[loss_name]
    assert gan.config["objective"] == loss_name

    labels = gan.sample_labels(4)
    assert (labels is None) == (gan.num_classes == 0)
    real = _real_batch(gan)
    fake = gan.generate(gan.sample_latent(4), labels)

    d_out = gan.objective.discriminator_loss(gan, real, fake, labels)
    assert _finite_scalar(d_out.loss)
    d_out.loss.backward()
    d_grads = [p.grad for p in gan.discriminator.parameters() if p.grad is not None]
    assert d_grads and all(torch.isfinite(g).all() for g in d_grads)
    assert sum(g.abs().sum() for g in d_grads) > 0

    gan.zero_grad(set_to_none=True)
    g_out = gan.objective.generator_loss(gan, fake, labels)
    assert _finite_scalar(g_out.loss)
    g_out.loss.backward()
    g_grads = [p.grad for p in gan.generator.parameters() if p.grad is not None]
    assert g_grads and all(torch.isfinite(g).all() for g in g_grads)
    assert sum(g.abs().sum() for g in g_grads) > 0

    # The recorded config rebuilds the same model with the same objective.
    config = dict(gan.config)
    rebuilt = ganzoo.create(config.pop("model"), **config)
    assert type(rebuilt.objective.loss) is LOSS_CLASSES[loss_name]
    assert [type(r) for r in rebuilt.objective.regularizers] == [
        type(r) for r in gan.objective.regularizers
    ]
    rebuilt.load_state_dict(gan.state_dict())


def test_objective_alias_is_recorded_by_canonical_name_and_rebuilds() -> None:
    gan = ganzoo.create("sagan", objective="ns", **tiny_args("sagan"))
    assert type(gan.objective.loss) is NonSaturatingLoss
    assert gan.config["objective"] == "non-saturating"
    config = dict(gan.config)
    rebuilt = ganzoo.create(config.pop("model"), **config)
    assert type(rebuilt.objective.loss) is NonSaturatingLoss


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"objective": HingeLoss()}, id="loss-instance"),
        pytest.param({"regularizers": [R1Penalty(weight=2.0)]}, id="regularizer-instance"),
        pytest.param({"objective": Objective(HingeLoss())}, id="objective-instance"),
    ],
)
def test_config_rebuilds_objective_given_as_instance(overrides: dict) -> None:
    # GAN.config must "rebuild this exact model with ganzoo.create" (load_gan relies on it), so
    # an objective given as an object must not silently come back as the model's default one.
    gan = ganzoo.create("wgan", **overrides, **tiny_args("wgan"))
    config = dict(gan.config)
    rebuilt = ganzoo.create(config.pop("model"), **config)
    got = (type(rebuilt.objective.loss), [type(r) for r in rebuilt.objective.regularizers])
    want = (type(gan.objective.loss), [type(r) for r in gan.objective.regularizers])
    assert got == want, (
        f"BUG (ganzoo/models/builder.py build_gan): config {gan.config.get('objective')!r} / "
        f"{gan.config.get('regularizers')!r} rebuilds {got}, but the model trains with {want}"
    )


def test_model_default_regularizers_survive_objective_override() -> None:
    wgan = ganzoo.create("wgan", objective="hinge", **tiny_args("wgan"))
    assert [type(r) for r in wgan.objective.regularizers] == [WeightClipping]
    assert wgan.objective.regularizers[0].clip == 0.01
    gp = ganzoo.create("wgan-gp", objective="least-squares", **tiny_args("wgan-gp"))
    assert [type(r) for r in gp.objective.regularizers] == [GradientPenalty]
    assert gp.objective.regularizers[0].weight == 10.0


@pytest.mark.parametrize("reg", ["gradient-penalty", "r1"])
@pytest.mark.parametrize("model", MODELS)
def test_any_model_with_gradient_penalties(model: str, reg: str) -> None:
    # Double backward through every architecture (batch norm, spectral norm, attention, labels).
    gan = ganzoo.create(model, regularizers=[{"name": reg, "weight": 1.0}], **tiny_args(model))
    assert [type(r) for r in gan.objective.regularizers] == [REGULARIZER_CLASSES[reg]]
    assert gan.config["regularizers"] == [{"name": reg, "every": 1, "weight": 1.0}]
    labels = gan.sample_labels(4)
    real = _real_batch(gan)
    fake = gan.generate(gan.sample_latent(4), labels)
    out = gan.objective.discriminator_loss(gan, real, fake, labels)
    assert _finite_scalar(out.loss) and _finite_scalar(out.logs[reg])
    assert out.logs[reg].item() >= 0
    terms = out.logs["d_loss_adv"] + out.logs.get("d_loss_class", 0.0)  # ACGAN's class term
    assert out.loss.item() == pytest.approx((terms + out.logs[reg]).item(), rel=1e-5, abs=1e-6)
    out.loss.backward()
    grads = [p.grad for p in gan.discriminator.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
