"""One entry point for evaluating a generator: features, cached reference statistics, metrics.

Features come from the classifiers trained by us on MNIST / Fashion-MNIST (``classifier``
extractor, 128-d, offline) or from Inception-v3 pool3 (``inception``, 2048-d); class
probabilities always from the classifier. Every result records the sample counts and the
extractor, since FID is biased by sample size.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from tqdm.auto import tqdm

from ..data import load_dataset, load_embedded
from ..data.images import to_unit_range
from ..errors import ConfigError, unknown_name
from ..gan import GAN, TranslationGAN
from ..utils.precision import Hardware, autocast, resolve_precision
from .classes import class_coverage, inception_score
from .classifier import check_range, load_classifier, prepare_images
from .extractors import Extractor, get_extractor
from .frechet import fid_from_features
from .kid import kernel_inception_distance
from .manifold import density_coverage, precision_recall
from .reliability import unreliable

METRICS = ("fid", "kid", "is", "pr", "dc", "coverage")
REFERENCES = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "default": "mnist"}
_ALIASES = {"fashion_mnist": "fashion-mnist", "fmnist": "fashion-mnist", "embedded": "default"}

ImageSource = GAN | Tensor | torch.utils.data.Dataset


def _reference_key(reference: str) -> str:
    key = reference.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in REFERENCES:
        raise unknown_name("reference dataset", reference, [*REFERENCES, *_ALIASES])
    return key


def stats_cache_dir() -> Path:
    """Where reference features are cached: ``$GANZOO_CACHE/stats`` or ``~/.cache/ganzoo/stats``."""
    return Path(os.environ.get("GANZOO_CACHE", Path.home() / ".cache" / "ganzoo")) / "stats"


@torch.no_grad()
def translations(
    gan: TranslationGAN,
    task: str,
    n: int,
    *,
    split: str = "test",
    data_root: str | os.PathLike[str] | None = None,
    batch_size: int = 500,
) -> Tensor:
    """A translation model's outputs for the first ``n`` sources of ``task``'s ``split``
    (e.g. ``edges2mnist``), to evaluate against the target domain (images in [-1, 1])."""
    if not isinstance(gan, TranslationGAN):
        raise ConfigError(f"{gan.name} generates from noise; evaluate it directly.")
    c, size, _ = gan.source_shape
    data = load_dataset(task, data_root, train=split == "train", img_size=size, channels=c)
    sources = getattr(data, "sources", None)
    if sources is None:
        raise ConfigError(f"{task!r} is not a translation task (e.g. edges2mnist, thin2thick).")
    if len(sources) < n:
        raise ConfigError(
            f"The {split} split of {task} has {len(sources)} source images; asked for {n}. "
            f"Use n <= {len(sources)} (--n {len(sources)})."
        )
    return torch.cat(
        [
            gan.translate(to_unit_range(chunk), batch_size).cpu()
            for chunk in sources[:n].split(batch_size)
        ]
    )


def _batches(
    source: ImageSource, n: int, batch_size: int, seed: int, precision: str = "fp32"
) -> Iterator[Tensor]:
    if isinstance(source, TranslationGAN):
        raise ConfigError(
            f"{source.name} translates images: evaluate its translations of a task's sources, "
            f"ganzoo.metrics.translations(gan, 'edges2mnist', n) or `ganzoo eval CHECKPOINT "
            "--translate edges2mnist`."
        )
    if isinstance(source, GAN):
        rng = torch.Generator(device=source.device).manual_seed(seed)
        precision = resolve_precision(
            precision, Hardware.detect(source.device), model=source.name, use="sample"
        )
        for start in range(0, n, batch_size):
            count = min(batch_size, n - start)
            labels = source.sample_labels(count, generator=rng)
            z = source.sample_latent(count, generator=rng)
            with torch.no_grad(), autocast(precision, source.device):
                source.sampler.eval()
                images = source.generate(z, labels, ema=True)
            yield images.float().clamp(-1, 1)
        return
    if isinstance(source, Tensor):
        if len(source) < n:
            raise ConfigError(f"Asked for {n} samples but only {len(source)} images were given.")
        yield from source[:n].split(batch_size)
        return
    images = getattr(source, "images", None)
    if images is None:  # any other dataset of images in [-1, 1] (or (image, label) pairs)
        loader = torch.utils.data.DataLoader(
            torch.utils.data.Subset(source, range(n)), batch_size=batch_size
        )
        for batch in loader:
            yield batch[0] if isinstance(batch, list | tuple) else batch
        return
    for chunk in images[:n].split(batch_size):
        yield to_unit_range(chunk)


def _extractor(
    extractor: str | Extractor,
    dataset: str,
    device: str | torch.device,
    precision: str = "fp32",
) -> Extractor:
    if isinstance(extractor, Extractor):
        return extractor
    return get_extractor(extractor, dataset, device, precision)


@torch.no_grad()
def extract(
    source: ImageSource,
    classifier_dataset: str,
    n: int,
    *,
    extractor: str | Extractor = "classifier",
    batch_size: int = 500,
    seed: int = 0,
    device: str | torch.device = "cpu",
    progress: bool = False,
    precision: str = "fp32",
) -> tuple[np.ndarray, np.ndarray]:
    """(features (n, D), class probabilities (n, 10)) of ``n`` images from ``source``.

    Features come from ``extractor`` (``classifier``: 128-d, ``inception``: 2048-d); class
    probabilities always from the ``classifier_dataset`` classifier, since the Inception file
    has no classifier head. ``precision`` is the generator's when ``source`` is a GAN (see
    :meth:`ganzoo.GAN.sample`); features are always computed in fp32 here.
    """
    classifier = load_classifier(classifier_dataset, device)
    # The classifier's features come with its class probabilities: no second pass for them.
    by_classifier = getattr(extractor, "name", extractor) == "classifier"
    features_of = None if by_classifier else _extractor(extractor, classifier_dataset, device)
    features, probs = [], []
    bar = tqdm(total=n, disable=not progress, desc="features", unit="img")
    for batch in _batches(source, n, batch_size, seed, precision):
        batch = batch.to(device)
        h = classifier.features(prepare_images(batch))
        probs.append(torch.softmax(classifier.head(h), dim=1).double().cpu())
        features.append(h.double().cpu() if features_of is None else features_of(batch))
        bar.update(len(batch))
    bar.close()
    return torch.cat(features).numpy(), torch.cat(probs).numpy()


def _check_split(split: str) -> None:
    if split not in ("train", "test"):
        raise ConfigError(f"split must be 'train' or 'test', got {split!r}.")


def _stats_path(key: str, split: str, n: int, ext: Extractor) -> Path:
    return stats_cache_dir() / f"{key}-{split}-n{n}-{ext.cache_key}.npz"


def reference_images(
    reference: str, split: str, data_root: str | os.PathLike[str] | None, n: int = 0
) -> Any:
    """The reference dataset, holding at least ``n`` images. MNIST's test split is the copy
    embedded in the package, so the default reference needs no download."""
    key = _reference_key(reference)
    if REFERENCES[key] == "mnist" and split == "test":
        data = load_embedded()
    else:
        data = load_dataset(REFERENCES[key], data_root, train=split == "train")
    if len(data) < n:
        raise ConfigError(
            f"The {split} split of {REFERENCES[key]} has {len(data)} images; asked for {n} "
            f"reference images. Use n <= {len(data)} (--n {len(data)})."
        )
    return data


def _check_source(source: ImageSource, n: int) -> None:
    """Refuse what cannot be evaluated before any feature is extracted."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ConfigError(f"n must be a whole number of samples >= 2, got {n!r}.")
    if isinstance(source, TranslationGAN):
        next(_batches(source, n, 1, 0))  # raises its one-line explanation
    if isinstance(source, Tensor):
        if len(source) < n:
            raise ConfigError(f"Asked for {n} samples but only {len(source)} images were given.")
        prepare_images(source[:1])  # the shape
        check_range(float(source[:n].min()), float(source[:n].max()))
    elif not isinstance(source, GAN):
        if not isinstance(source, torch.utils.data.Dataset) or not hasattr(source, "__len__"):
            raise ConfigError(
                f"Cannot evaluate a {type(source).__name__}: pass a GAN, a tensor of images in "
                "[-1, 1], or a dataset of them (one with a length)."
            )
        if len(source) < n:
            raise ConfigError(f"The data to evaluate has {len(source)} images; asked for {n}.")


def reference_features(
    reference: str,
    n: int,
    *,
    split: str = "test",
    extractor: str | Extractor = "classifier",
    data_root: str | os.PathLike[str] | None = None,
    batch_size: int = 500,
    device: str | torch.device = "cpu",
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Features and class probabilities of ``n`` reference images, cached on disk.

    The cache key holds the dataset, split, sample count, extractor, the hash of its weights
    and its resize rule, so a changed extractor or split never reuses stale statistics.
    """

    key = _reference_key(reference)
    _check_split(split)
    classifier = REFERENCES[key]
    ext = _extractor(extractor, classifier, device)
    path = _stats_path(key, split, n, ext)
    if path.exists():
        cached = np.load(path)
        return cached["features"], cached["probs"]
    data = reference_images(key, split, data_root, n)
    features, probs = extract(
        data, classifier, n, extractor=ext, batch_size=batch_size, device=device, progress=progress
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, features=features, probs=probs)
    os.replace(tmp, path)
    return features, probs


_NEEDS_CLASSES = ("is", "coverage")


def measuring_classifier(
    reference: str | ImageSource,
    classifier: str | None,
    metrics: Sequence[str],
    extractor: str | Extractor,
) -> str:
    """The dataset whose classifier gives the class probabilities (IS, class coverage) and the
    ``classifier`` extractor's features: a named reference's own, else ``classifier``."""
    if isinstance(reference, str):
        own = REFERENCES[_reference_key(reference)]
        if classifier is not None and REFERENCES[_reference_key(classifier)] != own:
            raise ConfigError(
                f"classifier={classifier!r} is for image references; the {own} reference is "
                "measured with its own classifier. Drop classifier."
            )
        return own
    if classifier is not None:
        return REFERENCES[_reference_key(classifier)]
    needs = [m for m in metrics if m in _NEEDS_CLASSES]
    if getattr(extractor, "name", extractor) == "classifier" or needs:
        raise ConfigError(
            "Images as the reference need classifier='mnist' or 'fashion-mnist' (the classifier "
            "whose features and classes are measured), or extractor='inception' with metrics "
            "that need no classes (fid, kid, pr, dc)."
        )
    return "mnist"  # its class probabilities are computed, and none is reported


def _check_reference_images(reference: ImageSource, n_reference: int) -> None:
    if isinstance(reference, GAN):
        raise ConfigError(
            "The reference is a dataset name or images (a tensor in [-1, 1] or a dataset of "
            "them), not a generator: sample it first, e.g. gan.sample(10000)."
        )
    have = len(reference) if hasattr(reference, "__len__") else None
    if have is not None and have < n_reference:
        raise ConfigError(
            f"The reference holds {have} images; {n_reference} are needed. Pass n_reference "
            f"<= {have} (--n {have}) or more reference images."
        )
    _check_source(reference, n_reference)


def check_inputs(
    source: ImageSource | None,
    *,
    reference: str | ImageSource,
    classifier: str | None = None,
    metrics: Sequence[str],
    extractor: str | Extractor,
    n: int,
    n_reference: int,
    split: str,
    data_root: str | os.PathLike[str] | None,
    device: str | torch.device = "cpu",
    feature_precision: str = "fp32",
) -> Extractor:
    """Check everything :func:`evaluate` needs (metrics, reference data and its size, split,
    counts, the source) before any feature is extracted; returns the extractor."""
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise unknown_name("metric", unknown[0], METRICS)
    dataset = measuring_classifier(reference, classifier, metrics, extractor)
    if source is not None:
        _check_source(source, n)
    if isinstance(n_reference, bool) or not isinstance(n_reference, int) or n_reference < 2:
        raise ConfigError(f"n_reference must be a whole number >= 2, got {n_reference!r}.")
    ext = _extractor(extractor, dataset, device, feature_precision)
    if not isinstance(reference, str):
        _check_reference_images(reference, n_reference)
        return ext
    key = _reference_key(reference)
    _check_split(split)  # only a named reference has splits
    if not _stats_path(key, split, n_reference, ext).exists():  # fail now, not after the samples
        reference_images(key, split, data_root, n_reference)
    return ext


def evaluate(
    source: ImageSource,
    *,
    reference: str | ImageSource = "mnist",
    classifier: str | None = None,
    metrics: Sequence[str] = METRICS,
    extractor: str | Extractor = "classifier",
    n: int = 10_000,
    n_reference: int | None = None,
    split: str = "test",
    data_root: str | os.PathLike[str] | None = None,
    batch_size: int = 500,
    seed: int = 0,
    device: str | torch.device = "cpu",
    progress: bool = False,
    precision: str = "auto",
    feature_precision: str = "fp32",
) -> dict[str, Any]:
    """Compute ``metrics`` of ``n`` samples from ``source`` against a reference dataset.

    ``precision`` is the generator's (``auto``: bf16 where the device computes it natively,
    see :meth:`ganzoo.GAN.sample`; ``fp32`` for published numbers); it is recorded as
    ``generator_precision``. ``feature_precision="bf16"`` runs the Inception extractor under
    bf16 autocast (an opt-in for quick evaluations; the classifier stays fp32).

    ``extractor`` picks the feature space of FID, KID, precision/recall and density/coverage:
    ``classifier`` (offline, 128-d) or ``inception`` (the standard 2048-d pool3 features; the
    ``inception`` extra). Inception Score and class coverage always use the dataset's classifier.
    ``reference`` is a dataset name (its ``split``; reference features are cached) or images:
    a tensor in [-1, 1] or a dataset of them, e.g. a folder read by
    :func:`ganzoo.data.load_image_folder`. Images need ``classifier`` (``mnist`` or
    ``fashion-mnist``) unless only Inception distances are asked for.
    Returns the metric values plus ``n``, ``n_reference``, ``extractor`` and ``reference``.
    """
    n_reference = n_reference or n
    ext = check_inputs(
        source,
        reference=reference,
        classifier=classifier,
        metrics=metrics,
        extractor=extractor,
        n=n,
        n_reference=n_reference,
        split=split,
        data_root=data_root,
        device=device,
        feature_precision=feature_precision,
    )
    dataset = measuring_classifier(reference, classifier, metrics, ext)
    fake, fake_probs = extract(
        source,
        dataset,
        n,
        extractor=ext,
        batch_size=batch_size,
        seed=seed,
        device=device,
        progress=progress,
        precision=precision,
    )
    if isinstance(reference, str):
        real, _ = reference_features(
            reference,
            n_reference,
            split=split,
            extractor=ext,
            data_root=data_root,
            batch_size=batch_size,
            device=device,
            progress=progress,
        )
        described = f"{dataset} ({split} split)"
    else:
        real, _ = extract(
            reference,
            dataset,
            n_reference,
            extractor=ext,
            batch_size=batch_size,
            device=device,
            progress=progress,
        )
        described = "the given images"
    result: dict[str, Any] = {
        "reference": described,
        "extractor": ext.description,
        "n": n,
        "n_reference": n_reference,
    }
    if isinstance(source, GAN):
        result["generator_precision"] = resolve_precision(
            precision, Hardware.detect(source.device), model=source.name, use="sample"
        )
    result |= metrics_of_features(real, fake, fake_probs, metrics, seed)
    flagged = unreliable(result)
    if flagged:  # too few samples: the values are noise, and the JSON says so
        result["unreliable"] = flagged
    return result


def metrics_of_features(
    real: np.ndarray,
    fake: np.ndarray,
    fake_probs: np.ndarray,
    metrics: Sequence[str] = METRICS,
    seed: int = 0,
) -> dict[str, Any]:
    """``metrics`` of the features ``fake`` against ``real`` (one feature space), with IS and
    class coverage from ``fake_probs``, the classifier's class probabilities of the samples."""
    n, n_reference = len(fake), len(real)
    result: dict[str, Any] = {}
    if "fid" in metrics:
        result["fid"] = fid_from_features(real, fake)
    if "kid" in metrics:
        size = min(1000, n, n_reference)
        result["kid"], result["kid_std"] = kernel_inception_distance(
            real, fake, subset_size=size, seed=seed
        )
    if "is" in metrics:
        result["is"], result["is_std"] = inception_score(fake_probs, splits=10 if n >= 10 else 1)
    if "pr" in metrics:
        result["precision"], result["recall"] = precision_recall(real, fake)
    if "dc" in metrics:
        result["density"], result["coverage"] = density_coverage(real, fake)
    if "coverage" in metrics:
        summary = class_coverage(fake_probs, num_classes=10)
        result["classes_covered"] = summary["classes_covered"]
        result["class_kl_to_uniform"] = summary["kl_to_uniform"]
        result["class_histogram"] = [int(c) for c in summary["histogram"]]
    return result


def fid(source: ImageSource, reference: str | ImageSource = "mnist", **kwargs: Any) -> float:
    """Fréchet distance of ``source`` to ``reference`` (``extractor="inception"`` for the standard
    Inception FID; default the dataset's classifier; see :func:`evaluate`)."""
    return evaluate(source, reference=reference, metrics=("fid",), **kwargs)["fid"]
