"""EBGAN and BEGAN: autoencoder discriminators, the energy objectives against hand-computed
values, BEGAN's k_t (updates, logging, checkpoints, resume), Hub round trips and bad arguments.

The generic checks (every size, output range, gradients to every parameter, any objective,
resume) also run for both models through the parametrized tests in test_models /
test_objectives / test_training.
"""

from __future__ import annotations

import itertools
import json

import pytest
import torch
from torch import Tensor

import ganzoo
from ganzoo.data import TensorImages, load_embedded
from ganzoo.models.autoencoder import AutoencoderDiscriminator
from ganzoo.models.began import BEGANDiscriminator, BEGANGenerator, ShallowAutoencoder
from ganzoo.models.dcgan import DCGANGenerator
from ganzoo.objectives import (
    BEGANObjective,
    BoundaryEquilibriumLoss,
    EBGANObjective,
    EnergyMarginLoss,
    HingeLoss,
    pulling_away,
)
from ganzoo.train import load_checkpoint
from ganzoo.zoo import build_gan

from .conftest import tiny_args, train_tiny

MODELS = ["ebgan", "began"]
SIZES = [(28, 1), (28, 3), (32, 1), (32, 3), (64, 1), (64, 3)]


def _tiny(name: str, **kw) -> ganzoo.GAN:
    return ganzoo.create(name, **{**tiny_args(name), **kw})


# ------------------------------------------------------------------------- architecture
@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(("img_size", "channels"), SIZES)
def test_builds_at_every_size_with_autoencoder_shapes(name, img_size, channels) -> None:
    gan = _tiny(name, img_size=img_size, channels=channels).eval()
    d = gan.discriminator
    assert isinstance(d, AutoencoderDiscriminator)
    x = torch.rand(3, channels, img_size, img_size) * 2 - 1
    code, recon = d.encode(x), d.reconstruct(x)
    assert code.shape == (3, 16) and recon.shape == x.shape
    scores = gan.discriminate(x)
    assert scores.shape == (3,) and (scores <= 0).all()  # minus a reconstruction error
    error = (recon - x).flatten(1)
    expected = error.square().mean(1) if name == "ebgan" else error.abs().mean(1)
    torch.testing.assert_close(scores, -expected)
    images = gan.generate(gan.sample_latent(3))
    assert images.shape == x.shape and images.abs().max() <= 1


def test_began_follows_the_paper_layout() -> None:
    g, d = BEGANGenerator(img_size=64, channels=3, width=8), BEGANDiscriminator(64, 3, width=8)
    assert d.decoder.base == 8 and g.decoder.base == 8  # 8x8 base, three 2x upsamplings
    ups = [m for m in g.decoder.net if isinstance(m, torch.nn.Upsample)]
    assert len(ups) == 3 and all(u.mode == "nearest" for u in ups)
    assert all(not isinstance(m, torch.nn.BatchNorm2d) for m in [*g.modules(), *d.modules()])
    convs = [m for m in d.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs if c.stride == (2, 2)] == [16, 24, 32]  # n grows linearly
    assert {type(m) for m in d.encoder if not isinstance(m, torch.nn.Conv2d)} >= {torch.nn.ELU}
    # The generator has the decoder's architecture (its own weights).
    assert [tuple(p.shape) for p in g.decoder.parameters()] == [
        tuple(p.shape) for p in BEGANDiscriminator(64, 3, width=8, code_dim=64).decoder.parameters()
    ]
    assert BEGANDiscriminator(28, 1, width=8).decoder.base == 7


def test_began_dcgan_architecture() -> None:
    """architecture="dcgan": DCGAN generator against the shallow autoencoder (one conv, a
    linear decoder); recorded in the config, so a rebuilt model has the same architecture."""
    gan = _tiny("began", architecture="dcgan", code_dim=8)
    assert isinstance(gan.generator, DCGANGenerator)
    d = gan.discriminator
    assert isinstance(d, ShallowAutoencoder) and gan.config["architecture"] == "dcgan"
    convs = [m for m in d.encoder if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 1 and convs[0].stride == (2, 2) and convs[0].out_channels == 8
    assert d.encode(torch.zeros(3, 1, 28, 28)).shape == (3, 8)
    # The decoder is affine in the code: D(a) + D(b) - D(0) == D(a + b).
    a, b, zero = torch.randn(2, 8), torch.randn(2, 8), torch.zeros(2, 8)
    torch.testing.assert_close(
        d.decode(a) + d.decode(b) - d.decode(zero), d.decode(a + b), rtol=1e-4, atol=1e-5
    )
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    expected = (d.decode(d.encode(x)) - x).abs().flatten(1).mean(1)
    torch.testing.assert_close(gan.discriminate(x), -expected)
    config = {k: v for k, v in gan.config.items() if k != "model"}
    rebuilt = ganzoo.create("began", **config)
    assert isinstance(rebuilt.discriminator, ShallowAutoencoder)
    assert rebuilt.state_dict().keys() == gan.state_dict().keys()
    with pytest.raises(ganzoo.UnknownNameError, match="Unknown began architecture 'dcgn'"):
        ganzoo.create("began", architecture="dcgn")
    with pytest.raises(ganzoo.ConfigError, match="cannot make 27x27"):
        _tiny("began", architecture="dcgan", img_size=27)
    with pytest.raises(ganzoo.ConfigError, match="even image size"):
        ShallowAutoencoder(img_size=27)


def test_began_dcgan_architecture_trains_and_reloads_from_its_checkpoint(tmp_path) -> None:
    (gan, result), (_, twin) = [
        train_tiny("began", tmp_path / str(i), 3, architecture="dcgan") for i in range(2)
    ]
    assert [r["g_loss"] for r in result.history] == [r["g_loss"] for r in twin.history]
    assert gan.objective.k.item() > 0 and "convergence" in result.history[-1]
    loaded = ganzoo.load_gan(tmp_path / "0")
    assert isinstance(loaded.discriminator, ShallowAutoencoder)
    for key, value in gan.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key


def test_began_recipe_halves_the_rates_when_m_stalls() -> None:
    schedule = ganzoo.create("began").recipe.lr_schedule
    assert (schedule.name, schedule.metric, schedule.factor) == ("plateau", "convergence", 0.5)


def test_began_generator_batch_norm_option() -> None:
    """``batch_norm=True``: batch norm before every ELU of the generator, none in D; the
    generator still trains (gradients reach the norm layers) and the option is in the config."""
    gan = _tiny("began", batch_norm=True)
    g_norms = [m for m in gan.generator.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    elus = [m for m in gan.generator.modules() if isinstance(m, torch.nn.ELU)]
    assert len(g_norms) == len(elus) == 6  # 28x28: three scales of two convs
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in gan.discriminator.modules())
    assert gan.config["batch_norm"] is True
    out = gan.objective.generator_loss(gan, gan.generate(gan.sample_latent(4)))
    out.loss.backward()
    assert all(m.weight.grad is not None and m.weight.grad.abs().sum() > 0 for m in g_norms)


@pytest.mark.parametrize("name", MODELS)
def test_objective_gradients_reach_every_parameter(name) -> None:
    gan = _tiny(name, img_size=32, channels=3)
    real = torch.rand(6, 3, 32, 32) * 2 - 1
    fake = gan.generate(gan.sample_latent(6))
    gan.objective.discriminator_loss(gan, real, fake).loss.backward()
    for pname, p in gan.discriminator.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, pname
    assert all(p.grad is None for p in gan.generator.parameters())
    gan.objective.generator_loss(gan, fake).loss.backward()
    for pname, p in gan.generator.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, pname


# ------------------------------------------------------------------------- losses by hand
REAL_SCORES, FAKE_SCORES = [-0.2, -0.5], [-0.3, -1.5]  # minus energies


def test_energy_margin_loss_by_hand() -> None:
    real, fake = torch.tensor(REAL_SCORES), torch.tensor(FAKE_SCORES)
    loss = EnergyMarginLoss(margin=1.0)
    # D: mean energy of real (0.35) + mean max(0, 1 - E(fake)) = (0.7 + 0) / 2
    assert loss.discriminator_loss(real, fake).item() == pytest.approx(0.35 + 0.35)
    assert loss.generator_loss(fake).item() == pytest.approx(0.9)
    assert EnergyMarginLoss(margin=2.0).discriminator_loss(real, fake).item() == pytest.approx(
        0.35 + (1.7 + 0.5) / 2
    )
    assert loss.chance_loss == 1.0 and EnergyMarginLoss(0.5).chance_loss == 0.5


def test_pulling_away_term_by_hand() -> None:
    # cos^2 of the distinct pairs: (e1, e2) 0, (e1, e3) 1/2, (e2, e3) 1/2 -> mean 1/3
    embeddings = torch.tensor([[1.0, 0.0], [0.0, 3.0], [2.0, 2.0]])
    assert pulling_away(embeddings).item() == pytest.approx(1 / 3)
    assert pulling_away(torch.tensor([[1.0, 2.0], [2.0, 4.0]])).item() == pytest.approx(1.0)
    assert pulling_away(torch.tensor([[1.0, 0.0], [0.0, -1.0]])).item() == pytest.approx(0.0)
    assert pulling_away(torch.ones(1, 4)).item() == 0.0


class ZeroDecoder(AutoencoderDiscriminator):
    """Reconstructs every image as zeros (energy = mean x^2 or |x|); the code is the first two
    pixels. ``gain`` (1.0) gives the gradients somewhere to go."""

    def __init__(
        self, img_size: int = 28, channels: int = 1, num_classes: int = 0, error: str = "mse"
    ) -> None:
        super().__init__(img_size, channels, num_classes, error)
        self.gain = torch.nn.Parameter(torch.ones(()))

    def encode(self, images: Tensor) -> Tensor:
        return self.gain * images.flatten(1)[:, :2]

    def decode(self, embeddings: Tensor) -> Tensor:
        zeros = torch.zeros(len(embeddings), self.channels, self.img_size, self.img_size)
        return zeros + 0 * embeddings.sum()


def _fixed(objective_class, loss, **defaults) -> ganzoo.GAN:
    return build_gan(
        "fixed-energy",
        DCGANGenerator,
        ZeroDecoder,
        objective=loss,
        objective_class=objective_class,
        defaults={"width": 4, **defaults},
    )


def _const(*values: float) -> Tensor:
    return torch.stack([torch.full((1, 28, 28), v) for v in values])


def test_ebgan_objective_terms_by_hand() -> None:
    gan = _fixed(EBGANObjective, EnergyMarginLoss(), margin=1.0, pt_weight=0.1)
    real, fake = _const(0.5, 0.1), _const(1.0, 0.2)  # energies 0.25, 0.01 | 1.0, 0.04
    out = gan.objective.discriminator_loss(gan, real, fake)
    assert out.loss.item() == pytest.approx((0.25 + 0.01) / 2 + (0.0 + 0.96) / 2, rel=1e-5)
    assert out.logs["energy_real"].item() == pytest.approx(0.13, rel=1e-5)
    assert out.logs["energy_fake"].item() == pytest.approx(0.52, rel=1e-5)
    fake = _const(1.0, 0.2)
    fake[0, 0, 0, 1] = 0.0  # codes (1, 0) and (0.2, 0.2): cos^2 = 1/2
    g = gan.objective.generator_loss(gan, fake)
    energies = [783 / 784, 0.04]
    assert g.logs["g_pt"].item() == pytest.approx(0.5, rel=1e-5)
    assert g.logs["g_loss_adv"].item() == pytest.approx(sum(energies) / 2, rel=1e-5)
    assert g.loss.item() == pytest.approx(sum(energies) / 2 + 0.1 * 0.5, rel=1e-5)
    assert gan.objective.terms == ["energy-margin", "pulling-away"]


def test_began_loss_convergence_measure_and_k_update_by_hand() -> None:
    real, fake = torch.tensor([-0.4, -0.2]), torch.tensor([-0.1, -0.3])  # L(x)=0.3, L(G(z))=0.2
    loss = BoundaryEquilibriumLoss()
    assert loss.discriminator_loss(real, fake, 0.25).item() == pytest.approx(0.3 - 0.25 * 0.2)
    assert loss.generator_loss(fake).item() == pytest.approx(0.2)
    assert loss.chance_loss is None
    obj = BEGANObjective(loss, gamma=0.5, lambda_k=0.001, k_init=0.25)
    assert obj.convergence(torch.tensor(0.3), torch.tensor(0.2)).item() == pytest.approx(0.35)
    obj.update_k(torch.tensor(0.3), torch.tensor(0.2))
    assert obj.k.item() == pytest.approx(0.25 + 0.001 * (0.15 - 0.2))
    fast = BEGANObjective(loss, gamma=0.5, lambda_k=0.5, k_init=0.9)
    fast.update_k(torch.tensor(1.0), torch.tensor(0.0))
    assert fast.k.item() == 1.0  # clipped to [0, 1]
    fast.update_k(torch.tensor(0.0), torch.tensor(4.0))
    assert fast.k.item() == 0.0


def test_began_objective_uses_k_then_updates_it_after_the_step() -> None:
    gan = _fixed(
        BEGANObjective, BoundaryEquilibriumLoss(), error="l1", gamma=0.5, lambda_k=0.01, k_init=0.5
    )
    real, fake = _const(0.4, 0.2), _const(0.1, -0.3)  # L(x) = 0.3, L(G(z)) = 0.2
    out = gan.objective.discriminator_loss(gan, real, fake)
    assert out.loss.item() == pytest.approx(0.3 - 0.5 * 0.2, rel=1e-5)
    assert out.logs["k_t"].item() == 0.5
    assert out.logs["convergence"].item() == pytest.approx(0.3 + abs(0.15 - 0.2), rel=1e-5)
    out.loss.backward()  # k changes in place only after the loss was used
    assert gan.objective.k.item() == 0.5
    gan.objective.after_discriminator_step(gan)
    assert gan.objective.k.item() == pytest.approx(0.5 + 0.01 * (0.15 - 0.2), rel=1e-5)
    gan.objective.after_discriminator_step(gan)  # no new loss: no second update
    assert gan.objective.k.item() == pytest.approx(0.4995, rel=1e-5)
    assert gan.objective.generator_loss(gan, fake).loss.item() == pytest.approx(0.2, rel=1e-5)


def test_other_losses_train_the_autoencoders_too() -> None:
    gan = _tiny("ebgan", objective="hinge")
    assert type(gan.objective) is EBGANObjective and type(gan.objective.loss) is HingeLoss
    assert gan.objective.terms == ["hinge", "pulling-away"]
    began = _tiny("began", objective="least-squares")
    assert type(began.objective) is BEGANObjective and "k" in dict(began.objective.named_buffers())


# ------------------------------------------------------------------------------ training
def test_ebgan_training_is_deterministic(tmp_path) -> None:
    runs = [train_tiny("ebgan", tmp_path / str(i), 3, n=64) for i in range(2)]
    for key, value in runs[0][0].state_dict().items():
        assert torch.equal(value, runs[1][0].state_dict()[key]), key
    assert all({"energy_real", "energy_fake", "g_pt"} <= set(r) for r in runs[0][1].history)
    trainer = ganzoo.Trainer(runs[0][0], [], tmp_path / "x", progress=False)
    assert trainer.health.chance_loss == 1.0  # the margin


def test_began_logs_k_and_m_and_a_resumed_run_equals_an_uninterrupted_one(tmp_path) -> None:
    full, _ = train_tiny("began", tmp_path / "full", 4, n=64)
    rows = [json.loads(x) for x in (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and all(
        {"k_t", "convergence", "l_real", "l_fake"} <= set(r) for r in rows
    )
    # Each row logs the k_t its step used; the next follows from that step's losses.
    for row, nxt in itertools.pairwise(rows):
        expected = min(max(row["k_t"] + 0.001 * (0.5 * row["l_real"] - row["l_fake"]), 0), 1)
        assert nxt["k_t"] == pytest.approx(expected, abs=1e-7)
        assert row["convergence"] == pytest.approx(
            row["l_real"] + abs(0.5 * row["l_real"] - row["l_fake"]), rel=1e-5
        )
    assert full.objective.k.item() > 0  # L(G(z)) starts below gamma L(x): k_t grows

    # Half the run, then a resume into a model built from another seed: k_t comes back from
    # the checkpoint and the result equals the uninterrupted run (same seed, same weights).
    train_tiny("began", tmp_path / "split", 2, n=64)
    k2 = load_checkpoint(tmp_path / "split")["gan"]["objective.k"]
    assert 0 < k2.item() < full.objective.k.item()
    data = load_embedded()
    digits = TensorImages(data.images[:64], data.labels[:64], 10, "digits")
    torch.manual_seed(5)
    resumed = _tiny("began")
    assert resumed.objective.k.item() == 0.0
    ganzoo.Trainer(
        resumed,
        digits,
        tmp_path / "split",
        steps=4,
        batch_size=16,
        log_every=1,
        progress=False,
        num_samples=20,
        gif=False,
        resume=True,
    ).fit()
    assert torch.equal(resumed.objective.k, full.objective.k)
    for key, value in full.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key


@pytest.mark.parametrize("name", MODELS)
def test_hub_folder_round_trip(name, tmp_path) -> None:
    gan = _tiny(name, **({"gamma": 0.7, "k_init": 0.3} if name == "began" else {"margin": 2.0}))
    gan.save_pretrained(tmp_path / "repo")
    hub = ganzoo.from_pretrained(tmp_path / "repo", generator_only=False)
    assert type(hub.objective) is type(gan.objective)
    if name == "began":
        assert hub.objective.gamma == 0.7 and hub.objective.k.item() == pytest.approx(0.3)
    else:
        assert hub.objective.loss.margin == 2.0 and hub.config["margin"] == 2.0
    torch.testing.assert_close(hub.sample(4, seed=1), gan.sample(4, seed=1))
    g = ganzoo.from_pretrained(tmp_path / "repo")
    torch.testing.assert_close(g.sample(4, seed=1), gan.sample(4, seed=1))


def test_config_records_the_objective_options_and_regularizers() -> None:
    gan = _tiny("ebgan", margin=0.5, pt_weight=0.0, regularizers=["r1"])
    assert gan.config["margin"] == 0.5 and gan.config["pt_weight"] == 0.0
    assert "objective" not in gan.config  # the model's own loss, rebuilt by its builder
    config = dict(gan.config)
    rebuilt = ganzoo.create(config.pop("model"), **config)
    assert rebuilt.config == gan.config and rebuilt.objective.loss.margin == 0.5
    assert [r.name for r in rebuilt.objective.regularizers] == ["r1"]


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("ebgan", {"margin": -1.0}, "margin must be >= 0"),
        ("ebgan", {"margin": 0}, "margin must be > 0"),
        ("ebgan", {"margin": "big"}, "margin must be a number"),
        ("ebgan", {"pt_weight": -0.1}, "pt_weight must be >= 0"),
        ("ebgan", {"margn": 1.0}, "Did you mean: margin"),
        ("ebgan", {"num_classes": 10}, "unconditional"),
        ("ebgan", {"code_dim": 0}, "code_dim must be a positive integer"),
        ("began", {"gamma": 1.5}, r"gamma must be in \[0.0, 1.0\]"),
        ("began", {"gamma": 0.0}, "gamma"),
        ("began", {"lambda_k": -0.001}, "lambda_k must be >= 0"),
        ("began", {"k_init": 2.0}, "k_init"),
        ("began", {"img_size": 30}, "cannot make 30x30"),
        ("began", {"img_size": 8}, "cannot make 8x8"),
        ("began", {"width": 0}, "width must be a positive integer"),
        ("began", {"num_classes": 10}, "unconditional"),
        ("began", {"batch_norm": "yes"}, "batch_norm must be true or false"),
    ],
)
def test_bad_arguments_are_clear_config_errors(name, kwargs, match) -> None:
    with pytest.raises(ganzoo.ConfigError, match=match):
        _tiny(name, **kwargs)


def test_energy_objectives_need_an_autoencoder_discriminator() -> None:
    with pytest.warns(UserWarning, match="cannot be saved"):
        gan = _tiny("dcgan", objective=EBGANObjective(EnergyMarginLoss()))
    fake = gan.generate(gan.sample_latent(2))
    with pytest.raises(ganzoo.ConfigError, match="autoencoder discriminator"):
        gan.objective.generator_loss(gan, fake)


def test_two_ranks_keep_the_same_k_as_one_process(tmp_path) -> None:
    from .test_distributed import _run_ranks, _single

    # With BEGAN's learning-rate decay on M: every rank must decay at the same row.
    plateau = {
        "recipe": {
            "lr_schedule": {
                "name": "plateau",
                "metric": "convergence",
                "patience": 1,
                "threshold": 0.02,
            }
        }
    }
    rank0, rank1 = _run_ranks(
        tmp_path / "ddp", tmp_path / "res", "began", 3, "--create", json.dumps(plateau)
    )
    for key, value in rank0["state"].items():  # k_t included: updated from rank-averaged losses
        assert torch.equal(value, rank1["state"][key]), key
    rates = [row["g_lr"] for row in rank0["history"]]
    assert rates == [row["g_lr"] for row in rank1["history"]]
    single, history = _single("began", tmp_path / "single", 3, plateau)
    assert rates == [row["g_lr"] for row in history]
    assert rates[-1] < rates[0]  # M did not improve by 2 % at some row: the rates decayed
    k = rank0["state"]["objective.k"]
    assert k.item() > 0
    torch.testing.assert_close(k, single.objective.k, rtol=1e-4, atol=1e-7)
    for mine, theirs in zip(rank0["history"], history, strict=True):
        assert mine["k_t"] == pytest.approx(theirs["k_t"], rel=1e-4, abs=1e-7)
