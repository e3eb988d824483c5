"""Export: every format round-trips (ONNX through onnxruntime, TorchScript and torch.export loaded
back) to the eager model's output within ATOL; torch.hub loads a local clone."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

import ganzoo
from ganzoo.cli import main
from ganzoo.export import FORMATS, ExportError, export_generator, load_exported
from ganzoo.gan import GAN
from ganzoo.models.base import Generator

from .conftest import tiny_args

pytest.importorskip("onnxruntime", reason="pip install 'ganzoo[export]' for the ONNX tests")

REPO = Path(__file__).resolve().parents[1]
# float32 outputs in [-1, 1]: exported graphs reorder some float ops, so they agree with eager to
# ~1e-6; 1e-4 is far below one 8-bit grey level (2/255 = 7.8e-3) and far above that noise.
ATOL = 1e-4
CASES = {  # unconditional + batch norm, conditional, stylegan with truncation, translators
    "dcgan": {},
    "cgan": {},
    "stylegan": {"truncation": 0.7},
    "pix2pix": {},
    "cyclegan": {},
}


def _inputs(gan: GAN, n: int) -> tuple[Tensor, ...]:
    """Seeded inputs for a batch of ``n`` (not the export's example batch size of 2)."""
    rng = torch.Generator().manual_seed(1)
    if isinstance(gan, ganzoo.TranslationGAN):
        return (torch.rand(n, *gan.source_shape, generator=rng) * 2 - 1,)
    z = torch.randn(n, gan.latent_dim, generator=rng)
    return (z, torch.arange(n) % gan.num_classes) if gan.num_classes else (z,)


def _eager(gan: GAN, inputs: tuple[Tensor, ...], truncation: float | None) -> Tensor:
    if isinstance(gan, ganzoo.TranslationGAN):
        return gan.translate(inputs[0])
    labels = inputs[1] if len(inputs) > 1 else None
    gan.sampler.eval()
    with torch.no_grad():
        return gan.generate(inputs[0], labels, ema=True, truncation=truncation).clamp(-1, 1)


def _model(name: str) -> GAN:
    """The published MNIST weights (real images, not the near-zero output of a fresh DCGAN
    init); translators have none published, so a tiny one with PyTorch's default init."""
    if name not in ("pix2pix", "cyclegan"):
        return ganzoo.from_pretrained(REPO / "pretrained" / f"{name}-mnist")
    gan = ganzoo.create(name, **tiny_args(name))
    for module in gan.generator.modules():
        if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
            module.reset_parameters()
    return gan


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("name", list(CASES))
def test_exported_generator_matches_eager(name: str, format: str, tmp_path: Path) -> None:
    torch.manual_seed(0)
    gan = _model(name)
    truncation = CASES[name].get("truncation")
    path = export_generator(gan, tmp_path / f"g.{format}", format, truncation=truncation)
    run = load_exported(path, format)
    inputs = _inputs(gan, 5)
    expected = _eager(gan, inputs, truncation)
    got = run(*inputs)
    assert got.shape == expected.shape == (5, *gan.image_shape)
    assert (got - expected).abs().max().item() <= ATOL
    assert expected.std() > 0.05  # a real image batch, not a constant that matches trivially


class _CummaxGenerator(Generator):
    """A generator using ``torch.cummax``, which the ONNX exporter cannot translate."""

    def __init__(self) -> None:
        super().__init__(latent_dim=8, img_size=4, channels=1)
        self.fc = nn.Linear(8, 16)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return torch.cummax(self.fc(z), dim=1)[0].tanh().view(-1, 1, 4, 4)


def test_an_op_the_format_cannot_express_is_named(tmp_path: Path) -> None:
    base = ganzoo.create("vanilla", img_size=4, channels=1, latent_dim=8)
    gan = GAN(_CummaxGenerator(), base.discriminator, base.objective, config={"model": "cummax"})
    with pytest.raises(
        ExportError, match=r"^onnx cannot express operator aten::cummax used by cummax"
    ):
        export_generator(gan, tmp_path / "g.onnx", "onnx")
    assert not (tmp_path / "g.onnx").exists()
    # the other formats take it, and agree with eager
    path = export_generator(gan, tmp_path / "g.pt2", "exported-program")
    z = torch.randn(3, 8)
    assert torch.allclose(load_exported(path, "exported-program")(z), gan.generate(z), atol=ATOL)


def test_cli_exports_a_published_tag_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "dcgan-mnist.onnx"
    assert main(["export", "dcgan.mnist", "--format", "onnx", "--out", str(out)]) == 0
    assert "z -> images" in capsys.readouterr().out
    gan = ganzoo.from_pretrained(REPO / "pretrained" / "dcgan-mnist")
    z = torch.randn(4, gan.latent_dim)
    assert torch.allclose(load_exported(out, "onnx")(z), _eager(gan, (z,), None), atol=ATOL)


def test_cli_refuses_an_unknown_format_and_truncation_of_a_model_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["export", "dcgan.mnist", "--format", "tflite"])
    assert "invalid choice: 'tflite'" in capsys.readouterr().err
    args = ["export", "dcgan.mnist", "--truncation", "0.5", "--out", str(tmp_path / "x.onnx")]
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: dcgan has no truncation trick")


def test_torch_hub_loads_pretrained_weights_from_a_local_clone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    gan = torch.hub.load(str(REPO), "dcgan", source="local", pretrained=True)
    reference = ganzoo.from_pretrained(REPO / "pretrained" / "dcgan-mnist")
    assert torch.equal(gan.sample(8, seed=3), reference.sample(8, seed=3))
    fashion = torch.hub.load(
        str(REPO), "dcgan", source="local", pretrained=True, tag="fashion_mnist"
    )
    assert not torch.equal(fashion.sample(8, seed=3), gan.sample(8, seed=3))
    untrained = torch.hub.load(str(REPO), "dcgan", source="local", img_size=32, channels=3)
    assert untrained.image_shape == (3, 32, 32)
    wgan = torch.hub.load(str(REPO), "wgan_gp", source="local", pretrained=True)  # wgan-gp
    assert wgan.name == "wgan-gp" and wgan.image_shape == (1, 28, 28)
    assert isinstance(torch.hub.load(str(REPO), "pix2pix", source="local"), ganzoo.TranslationGAN)
    with pytest.raises(ganzoo.GanzooError, match="no tag 'cifar'"):
        torch.hub.load(str(REPO), "dcgan", source="local", pretrained=True, tag="cifar")
