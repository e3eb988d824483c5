"""Model cards (the Hub repo's README.md) with Hub metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huggingface_hub import EvalResult, ModelCard

_DATASET_IDS = {
    "mnist": "ylecun/mnist",
    "fashion-mnist": "zalando-datasets/fashion_mnist",
    "cifar10": "uoft-cs/cifar10",
}


_DATASET_NAMES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}
# config.json "metrics" / "standard_metrics" keys start with the metric's name; a value is a
# number or "a / b"
_METRIC_TYPES = {
    "FID": ["fid"],
    "KID": ["kid"],
    "IS": ["inception_score"],
    "precision / recall": ["precision", "recall"],
    "density / coverage": ["density", "coverage"],
}


def metric_sets(config: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Each measured set of config.json as (metrics, note): the standard one (Inception
    features, ``standard_metrics``) first, then the classifier's (``metrics``)."""
    return [
        (config[key], str(config.get(f"{key}_note", "")))
        for key in ("standard_metrics", "metrics")
        if config.get(key)
    ]


def eval_results(config: dict[str, Any], task: str) -> list[EvalResult]:
    """The card's ``model-index`` entries: each measured metric, its value, the dataset (test
    split) and the feature extractor (``metric_config``), so the Hub shows the numbers."""
    dataset = config.get("dataset")
    if not dataset:
        return []
    results = []
    for metrics, note in metric_sets(config):
        results += _eval_results(metrics, note.split(";")[0] or None, dataset, task)
    return results


def _eval_results(
    metrics: dict[str, Any], extractor: str | None, dataset: str, task: str
) -> list[EvalResult]:
    """One set's entries (see ``eval_results``); keys not in ``_METRIC_TYPES`` are left out."""
    from huggingface_hub import EvalResult  # heavy: only when a card is made

    results = []
    for key, value in metrics.items():
        prefix = next((p for p in _METRIC_TYPES if key.startswith(p)), None)
        if prefix is None:
            continue
        values = [float(v) for v in str(value).split("/")]
        labels, details = prefix.split(" / "), key[len(prefix) :].strip()
        for metric, label, number in zip(_METRIC_TYPES[prefix], labels, values, strict=True):
            results.append(
                EvalResult(
                    task_type=task,
                    dataset_type=_DATASET_IDS.get(dataset, dataset),
                    dataset_name=_DATASET_NAMES.get(dataset, dataset),
                    dataset_split="test",
                    metric_type=metric,
                    metric_value=number,
                    metric_name=f"{label} {details}".strip(),
                    metric_config=extractor,
                )
            )
    return results


def _markdown_table(rows: dict[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows.items()]
    return "\n".join(lines)


_FID_SPACES = {"fid_classifier": "the classifier's", "fid_inception": "Inception-v3"}


def fid_history_text(config: dict[str, Any]) -> str:
    """The card's account of the periodic FID the run logged (config.json's ``fid_history``):
    first, lowest and last measurement, then every one in a folded table."""
    history = config.get("fid_history")
    parts = []
    for key, record in (history if isinstance(history, dict) else {}).items():
        if not isinstance(record, dict):
            continue
        steps, values = record.get("steps") or [], record.get("values") or []
        if not steps or len(steps) != len(values) or key not in _FID_SPACES:
            continue
        low = min(range(len(values)), key=values.__getitem__)
        say = [f"{values[i]:.2f} at step {steps[i]:,}" for i in (0, low, -1)]
        rows = "\n".join(f"| {s:,} | {v:.3f} |" for s, v in zip(steps, values, strict=True))
        parts.append(
            f"FID during training in {_FID_SPACES[key]} features ({record.get('samples') or 0:,} "
            f"samples against the test images, {len(steps)} measurements): first {say[0]}, "
            f"lowest {say[1]}, last {say[2]}.\n\n<details><summary>Every measurement "
            f"(config.json: fid_history)</summary>\n\n| step | FID |\n|---|---|\n{rows}\n\n"
            "</details>"
        )
    return "\n\n".join(parts)


def model_card(config: dict[str, Any], repo_id: str) -> ModelCard:
    """A model card for a repo written by ``save_pretrained`` (``config`` is its config.json)."""
    from huggingface_hub import ModelCard, ModelCardData  # heavy: only when a card is made

    model = config["model"]
    dataset = config.get("dataset")
    conditional = config.get("num_classes", 0) > 0
    translation = "source_channels" in config.get("args", {})
    data = ModelCardData(
        library_name="ganzoo",
        license=config.get("license", "apache-2.0"),
        tags=[
            "ganzoo",
            "gan",
            model,
            "image-generation",
            "image-to-image"
            if translation
            else "conditional-image-generation"
            if conditional
            else "unconditional-image-generation",
        ],
        datasets=[_DATASET_IDS.get(dataset, dataset)] if dataset else None,
        pipeline_tag="image-to-image" if translation else "unconditional-image-generation",
    )
    results = eval_results(config, data.pipeline_tag)
    if results:
        data.model_name, data.eval_results = repo_id, results
    c, h, w = config["image_shape"]
    metrics = (
        "\n\n".join(
            f"{_markdown_table(numbers)}\n\n{note}" for numbers, note in metric_sets(config)
        )
        or "Not measured yet.\n\n"
    )  # (the blank line a missing note left)
    training = config.get("training") or {}
    sample_line = (
        f"gan.sample(10, labels=list(range({config['num_classes']})))"
        if conditional
        else "gan.sample(64)"
    )
    setup = ""
    if translation:
        sources = f"({config['args']['source_channels']}, {h}, {w})"
        setup = f"sources = torch.rand(4, *{sources}) * 2 - 1  # your images in [-1, 1]\n"
        sample_line = "gan.translate(sources)"
    imports = "import torch\nimport ganzoo" if translation else "import ganzoo"
    full = "full" in config.get("files", {})
    full_note = (
        f'`ganzoo.from_pretrained("{repo_id}", generator_only=False)` also loads the '
        "discriminator and the objective state (from `model.safetensors`) to continue training."
        if full
        else "This repo holds the generator only (what sampling needs), not the discriminator."
    )
    trained_on = f" trained on {dataset}" if dataset else ""
    training_table = (
        _markdown_table({**{"model": f"`{model}`", "dataset": dataset or "—"}, **training})
        if training or dataset
        else "Not recorded."
    )
    ema = " (EMA)" if config.get("args", {}).get("recipe", {}).get("ema_decay") else ""
    fid_history = fid_history_text(config)
    fid_history = f"{fid_history}\n\n" if fid_history else ""
    full_file = "- `model.safetensors` — the whole GAN in float32, to continue training\n"
    body = f"""
# {model} — {repo_id}

A **{model}** generator of {h}x{w} {"grey" if c == 1 else "RGB"} images{trained_on},
made with [ganzoo](https://github.com/ganzoo/ganzoo), a pluggable GAN model zoo for PyTorch.

![samples](samples.png)

## Use

```python
{imports}

gan = ganzoo.from_pretrained("{repo_id}")
{setup}images = {sample_line}  # tensor in [-1, 1], (N, {c}, {h}, {w})
pictures = ganzoo.to_pil(images)  # a list of PIL images
```

{full_note}

## Training

{training_table}

{fid_history}Reproduce: `{config.get("command", "see recipe.yaml")}`. The full recipe is in `recipe.yaml`.

## Metrics

{metrics}

## Files

- `config.json` — the model name and every argument that rebuilds the architecture; sha256 of the weights
- `generator.safetensors` — generator weights ({config.get("generator_dtype", "float32")}){ema}
{full_file if full else ""}- `samples.png`, `recipe.yaml`
"""
    return ModelCard(f"---\n{data.to_yaml()}\n---\n{body}")
