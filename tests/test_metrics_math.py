"""ganzoo.metrics numerics against independent numpy/scipy references, closed forms and properties."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from ganzoo.errors import ConfigError, GanzooError
from ganzoo.metrics import (
    FewSamplesWarning,
    MetricError,
    SingularCovarianceWarning,
    class_coverage,
    density_coverage,
    fid_from_features,
    frechet_distance,
    gaussian_stats,
    inception_score,
    kernel_inception_distance,
    precision_recall,
)


def features(n: int, d: int, seed: int, shift: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """Correlated Gaussian features: standard normals through a fixed random mixing matrix."""
    rng = np.random.default_rng(seed)
    mixing = np.random.default_rng(1234).normal(size=(d, d)) / math.sqrt(d) + np.eye(d)
    return rng.normal(size=(n, d)) @ mixing * scale + shift


# ----------------------------------------------------------------------------------------- FID


def reference_fid(x: np.ndarray, y: np.ndarray, eps: float = 0.0) -> float:
    """FID via eigenvalues: tr sqrt(C1 C2) = sum sqrt(eig(C1^1/2 C2 C1^1/2)), no sqrtm."""
    mu1, mu2 = x.mean(axis=0), y.mean(axis=0)
    c1 = (x - mu1).T @ (x - mu1) / (len(x) - 1) + eps * np.eye(x.shape[1])
    c2 = (y - mu2).T @ (y - mu2) / (len(y) - 1) + eps * np.eye(x.shape[1])
    w, v = np.linalg.eigh(c1)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    lam = np.linalg.eigvalsh(root1 @ c2 @ root1)
    tr_covmean = np.sqrt(np.clip(lam, 0, None)).sum()
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(c1) + np.trace(c2) - 2 * tr_covmean)


@pytest.mark.parametrize("d", [16, 64])
def test_fid_matches_independent_reference(d: int) -> None:
    x, y = features(500, d, seed=1), features(500, d, seed=2, shift=0.2, scale=1.3)
    expected = reference_fid(x, y)
    assert expected > 1.0
    assert fid_from_features(x, y) == pytest.approx(expected, rel=1e-8)
    # torch tensors (float32 here) give the FID of the same values
    xt, yt = torch.from_numpy(x).float(), torch.from_numpy(y).float()
    expected32 = reference_fid(xt.double().numpy(), yt.double().numpy())
    assert fid_from_features(xt, yt) == pytest.approx(expected32, rel=1e-8)


@pytest.mark.parametrize(("n", "rel"), [(300, 1e-9), (40, 1e-4)])
def test_fid_matches_pytorch_fid(n: int, rel: float) -> None:
    """The reference implementation's own function. With 40 < D samples the covariances are
    singular: ganzoo then always adds eps to the diagonal, pytorch-fid only when sqrtm returns
    non-finite values, so the two differ slightly (~1e-5 relative here)."""
    from pytorch_fid.fid_score import calculate_frechet_distance

    x, y = features(n, 64, seed=3), features(n, 64, seed=4, shift=0.1)
    stats = [(f.mean(0), np.cov(f, rowvar=False)) for f in (x, y)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = float(calculate_frechet_distance(*stats[0], *stats[1]))
        ours = fid_from_features(x, y)
    assert ours == pytest.approx(expected, rel=rel)


def test_gaussian_stats_is_float64_mean_and_unbiased_covariance() -> None:
    x = features(40, 5, seed=3).astype(np.float32)
    mu, sigma = gaussian_stats(x)
    assert mu.dtype == sigma.dtype == np.float64
    assert mu.shape == (5,) and sigma.shape == (5, 5)
    x64 = x.astype(np.float64)
    centred = x64 - x64.mean(axis=0)
    np.testing.assert_allclose(mu, x64.sum(axis=0) / 40, rtol=1e-12)
    np.testing.assert_allclose(sigma, centred.T @ centred / 39, rtol=1e-10)  # ddof=1


def test_fid_properties() -> None:
    x = features(500, 16, seed=4)
    assert abs(fid_from_features(x, x)) < 1e-6
    pairs = [(x, features(500, 16, seed=5, shift=s, scale=c)) for s, c in [(0, 1), (0.1, 1.2)]]
    for a, b in pairs:
        forward, backward = fid_from_features(a, b), fid_from_features(b, a)
        assert forward == pytest.approx(backward, rel=1e-9)
        assert forward >= 0
    # more shift, more distance
    assert fid_from_features(x, x + 1.0) > fid_from_features(x, x + 0.5) > 0


def test_frechet_distance_closed_form_for_diagonal_gaussians() -> None:
    rng = np.random.default_rng(6)
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    var1, var2 = rng.uniform(0.2, 3.0, size=8), rng.uniform(0.2, 3.0, size=8)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(var1 + var2 - 2 * np.sqrt(var1 * var2))
    got = frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-12)


def test_fid_from_samples_of_known_gaussians() -> None:
    rng = np.random.default_rng(7)
    mu1, mu2 = np.zeros(4), np.array([1.0, -0.5, 0.0, 0.25])
    std1, std2 = np.array([1.0, 2.0, 0.5, 1.0]), np.array([1.5, 1.0, 0.5, 3.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((std1 - std2) ** 2)  # = 5.5625
    x = rng.normal(size=(20_000, 4)) * std1 + mu1
    y = rng.normal(size=(20_000, 4)) * std2 + mu2
    assert fid_from_features(x, y) == pytest.approx(expected, abs=0.1)


def test_few_samples_warn_and_fall_back_to_eps() -> None:
    x, y = features(10, 32, seed=8), features(12, 32, seed=9, shift=0.3)
    with (
        pytest.warns(FewSamplesWarning, match=r"more than D=32 samples, 10 given"),
        pytest.warns(SingularCovarianceWarning, match="adding 1e-06"),
    ):
        got = fid_from_features(x, y)
    assert math.isfinite(got)
    assert got == pytest.approx(reference_fid(x, y, eps=1e-6), rel=1e-6)
    with pytest.warns(FewSamplesWarning):
        gaussian_stats(x)


def test_enough_samples_do_not_warn() -> None:
    x, y = features(200, 16, seed=10), features(200, 16, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fid_from_features(x, y)


def test_large_imaginary_part_raises() -> None:
    eye = np.eye(3)
    with pytest.warns(SingularCovarianceWarning), pytest.raises(MetricError, match="imaginary"):
        frechet_distance(np.zeros(3), eye, np.zeros(3), -eye)  # sqrtm(-I) = iI
    assert issubclass(MetricError, GanzooError) and issubclass(MetricError, ValueError)


def test_frechet_distance_rejects_mismatched_statistics() -> None:
    with pytest.raises(ConfigError, match=r"sigma1 must have shape \(3, 3\), got \(4, 4\)"):
        frechet_distance(np.zeros(3), np.eye(4), np.zeros(3), np.eye(3))


# ----------------------------------------------------------------------------------------- KID


def reference_kid(real, fake, subsets, subset_size, degree=3, gamma=None, coef0=1.0, seed=0):
    """Unbiased MMD^2 with explicit off-diagonal means, on the documented subset draws."""
    d = real.shape[1]
    gamma = 1.0 / d if gamma is None else gamma
    m = min(subset_size, len(real), len(fake))
    rng = np.random.default_rng(seed)
    off = ~np.eye(m, dtype=bool)
    values = []
    for _ in range(subsets):
        x = real[rng.choice(len(real), m, replace=False)]
        y = fake[rng.choice(len(fake), m, replace=False)]
        kxx, kyy = (gamma * x @ x.T + coef0) ** degree, (gamma * y @ y.T + coef0) ** degree
        kxy = (gamma * x @ y.T + coef0) ** degree
        values.append(kxx[off].mean() + kyy[off].mean() - 2 * kxy.mean())
    return np.mean(values), np.std(values)


@pytest.mark.parametrize(
    ("kwargs", "sizes"),
    [
        ({"subsets": 20, "subset_size": 100}, (300, 250)),
        ({"subsets": 5, "subset_size": 1000, "degree": 2, "gamma": 0.3, "coef0": 0.5}, (80, 120)),
    ],
)
def test_kid_matches_independent_reference(kwargs: dict, sizes: tuple[int, int]) -> None:
    real, fake = features(sizes[0], 16, seed=12), features(sizes[1], 16, seed=13, shift=0.3)
    mean, std = kernel_inception_distance(real, fake, seed=3, **kwargs)
    ref_mean, ref_std = reference_kid(real, fake, seed=3, **kwargs)
    assert std > 0
    assert mean == pytest.approx(ref_mean, rel=1e-10)
    assert std == pytest.approx(ref_std, rel=1e-8)
    assert kernel_inception_distance(real, fake, seed=3, **kwargs) == (mean, std)  # seeded


def test_kid_is_near_zero_for_same_distribution_and_grows_with_shift() -> None:
    real, other = features(1000, 16, seed=14), features(1000, 16, seed=30)
    itself, spread = kernel_inception_distance(real, real, subsets=3, subset_size=1000)
    assert spread < 1e-12  # whole-set subsets are permutations of the same rows
    same, _ = kernel_inception_distance(real, other, subsets=50, subset_size=200)
    small, _ = kernel_inception_distance(real, other + 0.3, subsets=50, subset_size=200)
    large, _ = kernel_inception_distance(real, other + 1.0, subsets=50, subset_size=200)
    assert large > 5 * small > 0
    assert abs(same) < 0.1 * small
    assert abs(itself) < 0.02 * large  # O(k(x, x) / N): the unbiased estimator drops diagonals


def test_kid_needs_two_samples_per_set() -> None:
    with pytest.raises(GanzooError, match=r"KID: fake needs at least 2 samples, got 1"):
        kernel_inception_distance(features(10, 4, seed=0), features(1, 4, seed=1))


# ----------------------------------------------------------------- precision/recall, density/coverage


def reference_prdc(real: np.ndarray, fake: np.ndarray, k: int) -> dict[str, float]:
    """Brute-force loops over explicit pairwise distances."""

    def dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))

    d_rf = dist(real, fake)
    r_real = np.sort(dist(real, real), axis=1)[:, k]  # column 0 is the point itself
    r_fake = np.sort(dist(fake, fake), axis=1)[:, k]
    n, m = d_rf.shape
    precision = sum(any(d_rf[i, j] <= r_real[i] for i in range(n)) for j in range(m)) / m
    recall = sum(any(d_rf[i, j] <= r_fake[j] for j in range(m)) for i in range(n)) / n
    inside = sum(d_rf[i, j] < r_real[i] for i in range(n) for j in range(m))
    covered = sum(any(d_rf[i, j] < r_real[i] for j in range(m)) for i in range(n))
    return {
        "precision": precision,
        "recall": recall,
        "density": inside / (k * m),
        "coverage": covered / n,
    }


@pytest.mark.parametrize("k", [3, 5])
def test_manifold_metrics_match_brute_force(k: int) -> None:
    real, fake = features(60, 8, seed=15), features(50, 8, seed=16, shift=0.4, scale=0.8)
    ref = reference_prdc(real, fake, k)
    assert all(0 < value < 1 for name, value in ref.items() if name != "density")
    assert precision_recall(real, fake, k=k) == pytest.approx((ref["precision"], ref["recall"]))
    assert density_coverage(real, fake, k=k) == pytest.approx((ref["density"], ref["coverage"]))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_manifold_metrics_of_identical_sets(k: int) -> None:
    x = features(80, 8, seed=17)
    assert precision_recall(x, x.copy(), k=k) == (1.0, 1.0)
    density, coverage = density_coverage(x, x.copy(), k=k)
    assert density == pytest.approx(1.0, abs=1e-12)
    assert coverage == 1.0


def test_manifold_metrics_of_far_apart_sets() -> None:
    real, fake = features(60, 8, seed=18), features(60, 8, seed=19, shift=100.0)
    assert precision_recall(real, fake) == (0.0, 0.0)
    assert density_coverage(real, fake) == (0.0, 0.0)


def test_points_on_the_radius_sphere() -> None:
    # exact distances on a 1-d integer grid; every real radius (k=1) is 1, fake radii are 2
    real, fake = np.arange(5.0)[:, None], np.array([[5.0], [7.0]])
    ref = reference_prdc(real, fake, k=1)
    assert (ref["precision"], ref["recall"], ref["density"], ref["coverage"]) == (0.5, 0.4, 0, 0)
    assert precision_recall(real, fake, k=1) == (0.5, 0.4)  # on the sphere counts (<=)
    assert density_coverage(real, fake, k=1) == (0.0, 0.0)  # strictly inside only (<), as prdc


def test_manifold_chunking_and_tensor_inputs_do_not_change_results() -> None:
    real, fake = features(230, 8, seed=20), features(190, 8, seed=21, shift=0.3)
    whole_pr = precision_recall(real, fake, batch_size=10_000)
    whole_dc = density_coverage(real, fake, batch_size=10_000)
    assert 0 < whole_pr[0] < 1 and 0 < whole_dc[1] < 1
    assert precision_recall(real, fake, batch_size=7) == whole_pr
    assert density_coverage(real, fake, batch_size=7) == whole_dc
    tensors = torch.from_numpy(real), torch.from_numpy(fake)
    assert precision_recall(*tensors, batch_size=64) == whole_pr
    assert density_coverage(*tensors, batch_size=64) == whole_dc


def test_manifold_k_must_be_below_set_size() -> None:
    with pytest.raises(ConfigError, match=r"k=5 .* fake has 5"):
        density_coverage(features(20, 4, seed=0), features(5, 4, seed=1), k=5)


# ------------------------------------------------------------------ inception score, coverage


def reference_inception_score(probs: np.ndarray, splits: int) -> tuple[float, float]:
    """exp(H(p(y)) - E_x H(p(y|x))), the entropy form of exp(E_x KL(p(y|x) || p(y)))."""

    def entropy(p: np.ndarray) -> np.ndarray:
        return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)

    n = len(probs)
    scores = []
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]
        scores.append(np.exp(entropy(part.mean(axis=0)) - entropy(part).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def test_inception_score_matches_entropy_form() -> None:
    logits = np.random.default_rng(22).normal(size=(1003, 10)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    mean, std = inception_score(probs, splits=4)
    ref_mean, ref_std = reference_inception_score(probs, splits=4)
    assert 1 < mean < 10 and std > 0
    assert mean == pytest.approx(ref_mean, rel=1e-10)
    assert std == pytest.approx(ref_std, rel=1e-6)


def test_inception_score_extremes() -> None:
    one_hot = np.eye(10)[np.arange(1000) % 10]  # every split of 100 holds 10 of each class
    mean, std = inception_score(one_hot, splits=10)
    assert mean == pytest.approx(10.0, rel=1e-12) and std == pytest.approx(0.0, abs=1e-9)
    assert inception_score(torch.from_numpy(one_hot).float(), splits=5)[0] == pytest.approx(10.0)
    same = np.tile(np.random.default_rng(23).dirichlet(np.ones(10)), (200, 1))
    assert inception_score(same, splits=10) == pytest.approx((1.0, 0.0), abs=1e-9)


def test_inception_score_rejects_non_probabilities() -> None:
    logits = np.random.default_rng(24).normal(size=(50, 10))
    with pytest.raises(ConfigError, match="must sum to 1"):
        inception_score(np.abs(logits))
    with pytest.raises(ConfigError, match="negative"):
        inception_score(logits)
    with pytest.raises(ConfigError, match="splits=10 is more than the 5 samples"):
        inception_score(np.full((5, 4), 0.25))


def test_class_coverage() -> None:
    seven = np.arange(700) % 7
    report = class_coverage(seven, num_classes=10)
    assert report["classes_covered"] == report["mode_count"] == 7
    assert report["kl_to_uniform"] == pytest.approx(math.log(10 / 7), rel=1e-12)
    np.testing.assert_array_equal(report["histogram"], [100] * 7 + [0] * 3)

    balanced = class_coverage(np.arange(1000) % 10, num_classes=10)
    assert balanced["classes_covered"] == 10 and balanced["kl_to_uniform"] == 0.0

    # (N, C) probabilities are reduced to their argmax
    assert class_coverage(np.eye(10)[seven], num_classes=10)["kl_to_uniform"] == pytest.approx(
        report["kl_to_uniform"]
    )
    # a class seen once in 1000 is predicted but below a 1% threshold
    rare = np.concatenate([np.arange(999) % 9 + 1, [0]])
    assert class_coverage(rare, 10)["classes_covered"] == 10
    thresholded = class_coverage(rare, 10, min_fraction=0.01)
    assert thresholded["classes_covered"] == 9 and thresholded["mode_count"] == 10


def test_class_coverage_rejects_bad_labels() -> None:
    with pytest.raises(ConfigError, match=r"integers in \[0, 10\)"):
        class_coverage(np.array([0, 3, 10]), num_classes=10)
    with pytest.raises(ConfigError, match="num_classes=10"):
        class_coverage(np.ones((4, 5)) / 5, num_classes=10)


# ------------------------------------------------------------------------------- bad input

PAIR_METRICS = {
    "fid": fid_from_features,
    "kid": lambda a, b: kernel_inception_distance(a, b, subsets=2, subset_size=10),
    "precision_recall": precision_recall,
    "density_coverage": density_coverage,
}


@pytest.mark.parametrize("metric", list(PAIR_METRICS))
def test_bad_feature_input_names_the_problem(metric: str) -> None:
    fn = PAIR_METRICS[metric]
    good = features(30, 8, seed=25)
    with pytest.raises(GanzooError, match=r"same dimension.*\(30, 8\).*\(30, 9\)"):
        fn(good, features(30, 9, seed=26))
    with pytest.raises(GanzooError, match=r"2-d \(N, D\).*shape \(30,\)"):
        fn(good, good[:, 0])
    with_nan = good.copy()
    with_nan[3, 2] = np.nan
    with pytest.raises(GanzooError, match="1 NaN or infinite"):
        fn(good, with_nan)
    with pytest.raises(GanzooError, match="real contains"):
        fn(torch.from_numpy(with_nan), good)


def test_inception_score_rejects_nan() -> None:
    probs = np.full((20, 4), 0.25)
    probs[0, 0] = np.nan
    with pytest.raises(GanzooError, match="NaN"):
        inception_score(probs, splits=2)
