"""ACGAN: the two-headed discriminator, the objective's terms against hand-computed values,
labelled sampling, config/checkpoint/Hub rebuilds and a few training steps.

The generic checks (every size, output range, gradients to every parameter, any objective,
penalties, resume) run for acgan through the parametrized tests in test_models /
test_objectives / test_training.
"""

from __future__ import annotations

import json
import math
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

import ganzoo
from ganzoo.models import AuxiliaryClassifierDiscriminator
from ganzoo.models.acgan import ACGANDiscriminator, ACGANGenerator
from ganzoo.models.dcgan import DCGANGenerator
from ganzoo.objectives import ACGANObjective, HingeLoss, NonSaturatingLoss, Objective
from ganzoo.zoo import build_gan

from .conftest import tiny_args, train_tiny

# Fixed discriminator outputs: scores and logits (3 classes) for a real and a fake batch.
REAL_SCORES, FAKE_SCORES = [2.0, -1.0], [0.5, -3.0]
REAL_LOGITS = [[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]]
FAKE_LOGITS = [[0.0, 0.0, 3.0], [1.0, -2.0, 0.5]]
LABELS = [0, 2]


def _softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def _cross_entropy(logits: list[list[float]], labels: list[int]) -> float:
    """Mean of -log softmax(logits)[label], by hand."""
    terms = [
        math.log(sum(math.exp(v) for v in row)) - row[y]
        for row, y in zip(logits, labels, strict=True)
    ]
    return sum(terms) / len(terms)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


class FixedHeads(AuxiliaryClassifierDiscriminator):
    """Returns the fixed real outputs for images > 0 and the fake ones otherwise, scaled by a
    parameter (1.0) so gradients have somewhere to go."""

    def __init__(self, img_size: int = 28, channels: int = 1, num_classes: int = 3) -> None:
        super().__init__(img_size, channels, num_classes)
        self.gain = torch.nn.Parameter(torch.ones(()))

    def heads(self, images: Tensor) -> tuple[Tensor, Tensor]:
        real = images.mean() > 0
        scores = torch.tensor(REAL_SCORES if real else FAKE_SCORES, dtype=images.dtype)
        logits = torch.tensor(REAL_LOGITS if real else FAKE_LOGITS, dtype=images.dtype)
        return self.gain * scores, self.gain * logits


def _fixed_gan(loss: str = "non-saturating") -> ganzoo.GAN:
    return build_gan(
        "fixed-acgan",
        DCGANGenerator,
        FixedHeads,
        objective=loss,
        objective_class=ACGANObjective,
        defaults={"num_classes": 3, "width": 4},
    )


def test_discriminator_has_two_heads_and_ignores_labels() -> None:
    gan = ganzoo.create("acgan", width=8).eval()
    assert isinstance(gan.discriminator, ACGANDiscriminator)
    assert gan.num_classes == 10
    x = torch.rand(5, 1, 28, 28) * 2 - 1
    scores, logits = gan.discriminate_and_classify(x)
    assert scores.shape == (5,) and logits.shape == (5, 10)
    torch.testing.assert_close(gan.discriminate(x, torch.zeros(5, dtype=torch.long)), scores)
    torch.testing.assert_close(gan.discriminate(x, torch.full((5,), 7)), scores)
    # Labels are no input of the discriminator: its first conv sees only the image channels.
    assert gan.discriminator.net[0].in_channels == 1
    assert gan.discriminator.classifier.out_channels == 10


def test_generator_scales_the_noise_by_a_class_vector() -> None:
    gan = ganzoo.create("acgan", width=8).eval()
    g = gan.generator
    assert isinstance(g, ACGANGenerator) and g.embed.embedding.weight.shape == (10, 100)
    z, labels = gan.sample_latent(4), torch.tensor([0, 3, 3, 9])
    with torch.no_grad():
        expected = g.net((z * g.embed.embedding.weight[labels])[:, :, None, None])
        torch.testing.assert_close(gan.generate(z, labels), expected)
    assert g.net[0].in_channels == 100  # no concatenated embedding


def test_discriminator_objective_terms_against_hand_computed_values() -> None:
    gan = _fixed_gan()
    real, fake = torch.ones(2, 1, 28, 28), -torch.ones(2, 1, 28, 28)
    labels = torch.tensor(LABELS)
    out = gan.objective.discriminator_loss(gan, real, fake, labels)
    adversarial = _mean([_softplus(-r) for r in REAL_SCORES]) + _mean(
        [_softplus(f) for f in FAKE_SCORES]
    )
    class_loss = _cross_entropy(REAL_LOGITS, LABELS) + _cross_entropy(FAKE_LOGITS, LABELS)
    assert out.logs["d_loss_adv"].item() == pytest.approx(adversarial, rel=1e-6)
    assert out.logs["d_loss_class"].item() == pytest.approx(class_loss, rel=1e-6)
    assert out.loss.item() == pytest.approx(adversarial + class_loss, rel=1e-6)
    assert out.logs["d_loss"].item() == pytest.approx(adversarial + class_loss, rel=1e-6)
    # argmax: real rows -> [0, 1] vs labels [0, 2]; fake rows -> [2, 0] vs [0, 2].
    assert out.logs["d_class_acc_real"].item() == 0.5
    assert out.logs["d_class_acc_fake"].item() == 0.0
    assert all(not v.requires_grad for v in out.logs.values())


def test_generator_objective_terms_against_hand_computed_values() -> None:
    gan = _fixed_gan()
    fake = -torch.ones(2, 1, 28, 28)
    out = gan.objective.generator_loss(gan, fake, torch.tensor(LABELS))
    adversarial = _mean([_softplus(-f) for f in FAKE_SCORES])
    class_loss = _cross_entropy(FAKE_LOGITS, LABELS)
    assert out.logs["g_loss_adv"].item() == pytest.approx(adversarial, rel=1e-6)
    assert out.logs["g_loss_class"].item() == pytest.approx(class_loss, rel=1e-6)
    assert out.loss.item() == pytest.approx(adversarial + class_loss, rel=1e-6)


def test_hinge_adversarial_term_with_the_class_term() -> None:
    gan = _fixed_gan("hinge")
    out = gan.objective.discriminator_loss(
        gan, torch.ones(2, 1, 28, 28), -torch.ones(2, 1, 28, 28), torch.tensor(LABELS)
    )
    hinge = _mean([max(0, 1 - r) for r in REAL_SCORES]) + _mean(
        [max(0, 1 + f) for f in FAKE_SCORES]
    )
    class_loss = _cross_entropy(REAL_LOGITS, LABELS) + _cross_entropy(FAKE_LOGITS, LABELS)
    assert out.loss.item() == pytest.approx(hinge + class_loss, rel=1e-6)


def test_generator_gradient_is_adversarial_plus_class_term() -> None:
    gan = ganzoo.create("acgan", width=8).eval()  # eval: batch norm gives the same outputs twice
    labels = gan.sample_labels(6)
    z = gan.sample_latent(6)
    params = list(gan.generator.parameters())

    def grads(loss_fn) -> list[Tensor]:
        return torch.autograd.grad(loss_fn(gan.generate(z, labels)), params, allow_unused=True)

    full = grads(lambda x: gan.objective.generator_loss(gan, x, labels).loss)
    adv = grads(lambda x: Objective(NonSaturatingLoss()).generator_loss(gan, x, labels).loss)
    cls = grads(lambda x: F.cross_entropy(gan.discriminate_and_classify(x)[1], labels))
    for f, a, c in zip(full, adv, cls, strict=True):
        torch.testing.assert_close(f, a + c, rtol=1e-4, atol=1e-6)
    assert params[0] is gan.generator.embed.embedding.weight
    assert cls[0].abs().sum() > 0  # the class term trains the label embedding


def test_objective_needs_an_auxiliary_classifier() -> None:
    with pytest.warns(UserWarning, match="cannot be saved"):
        gan = ganzoo.create("cgan", width=8, objective=ACGANObjective(NonSaturatingLoss()))
    labels = gan.sample_labels(2)
    fake = gan.generate(gan.sample_latent(2), labels)
    with pytest.raises(ganzoo.ConfigError, match="auxiliary classifier"):
        gan.objective.discriminator_loss(gan, fake, fake, labels)
    with pytest.raises(ganzoo.ConfigError, match="num_classes >= 2"):
        ganzoo.create("acgan", width=8, num_classes=0)


def test_sample_with_labels_follows_the_labels() -> None:
    gan = ganzoo.create("acgan", width=8)
    samples = gan.sample(10, labels=list(range(10)), seed=0)
    assert samples.shape == (10, 1, 28, 28)
    assert gan.sample(4).shape == (4, 1, 28, 28)  # labels cycle through the classes
    z = gan.sample_latent(4)
    with torch.no_grad():
        gan.eval()
        assert not torch.allclose(
            gan.generate(z, torch.zeros(4, dtype=torch.long)), gan.generate(z, torch.full((4,), 3))
        )
    with pytest.raises(ganzoo.ConfigError, match="conditional"):
        gan.generate(z)


@pytest.mark.parametrize("loss", ["non-saturating", "hinge", "least-squares"])
def test_config_rebuilds_the_acgan_objective(loss: str) -> None:
    gan = ganzoo.create("acgan", objective=loss, regularizers=["r1"], **tiny_args("acgan"))
    assert gan.config["objective"] == loss and gan.config["regularizers"][0]["name"] == "r1"
    config = dict(gan.config)
    rebuilt = ganzoo.create(config.pop("model"), **config)
    assert type(rebuilt.objective) is ACGANObjective
    assert rebuilt.objective.terms == [loss, "auxiliary-classifier", "r1"]
    assert rebuilt.config == gan.config
    rebuilt.load_state_dict(gan.state_dict())


def test_other_objectives_for_acgan_warn_that_they_cannot_be_saved() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan = ganzoo.create("acgan", objective=Objective(HingeLoss()), width=8)
    assert any("cannot be saved" in str(w.message) for w in caught)
    assert "objective" not in gan.config  # rebuilds with acgan's own objective


def test_training_steps_log_class_accuracy_and_are_deterministic(tmp_path) -> None:
    (gan, result), (twin, twin_result) = [
        train_tiny("acgan", tmp_path / str(i), 4) for i in range(2)
    ]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "images_per_s"} for r in rows]  # noqa: E731
    assert strip(result.history) == strip(twin_result.history)
    for key, value in gan.state_dict().items():
        assert torch.equal(value, twin.state_dict()[key]), key
    rows = [json.loads(x) for x in (tmp_path / "0" / "metrics.jsonl").read_text().splitlines()]
    wanted = {
        "d_loss_adv",
        "d_loss_class",
        "d_class_acc_real",
        "d_class_acc_fake",
        "g_loss",
        "g_loss_adv",
        "g_loss_class",
    }
    assert len(rows) == 4 and all(wanted <= set(r) for r in rows)
    assert all(0.0 <= r["d_class_acc_real"] <= 1.0 for r in rows)


def test_checkpoint_and_hub_folder_rebuild_the_model(tmp_path) -> None:
    gan, _ = train_tiny("acgan", tmp_path / "run", steps=2, n=64, objective="hinge")
    loaded = ganzoo.load_gan(tmp_path / "run")
    assert type(loaded.objective) is ACGANObjective and type(loaded.objective.loss) is HingeLoss
    labels = list(range(10))
    torch.testing.assert_close(loaded.sample(10, labels, seed=1), gan.sample(10, labels, seed=1))

    gan.save_pretrained(tmp_path / "repo")
    hub = ganzoo.from_pretrained(tmp_path / "repo", generator_only=False)
    assert type(hub.objective) is ACGANObjective
    torch.testing.assert_close(hub.sample(10, labels, seed=1), gan.sample(10, labels, seed=1))
