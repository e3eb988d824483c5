"""Model cards (the Hub repo's README.md) with Hub metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huggingface_hub import ModelCard

_DATASET_IDS = {
    "mnist": "ylecun/mnist",
    "fashion-mnist": "zalando-datasets/fashion_mnist",
    "cifar10": "uoft-cs/cifar10",
}


def _markdown_table(rows: dict[str, Any]) -> str:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows.items()]
    return "\n".join(lines)


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
        tags=["ganzoo", "gan", model, "image-generation",
              "image-to-image" if translation else "conditional-image-generation" if conditional
              else "unconditional-image-generation"],
        datasets=[_DATASET_IDS.get(dataset, dataset)] if dataset else None,
        pipeline_tag="image-to-image" if translation else "unconditional-image-generation",
    )  # fmt: skip
    c, h, w = config["image_shape"]
    metrics = config.get("metrics") or {}
    training = config.get("training") or {}
    sample_line = (
        f"gan.sample(10, labels=list(range({config['num_classes']})))"
        if conditional
        else "gan.sample(64)"
    )
    if translation:
        sample_line = f"gan.translate(sources)  # sources: (N, {config['args']['source_channels']}, {h}, {w}) in [-1, 1];"
    body = f"""
# {model} — {repo_id}

A **{model}** generator of {h}x{w} {"grey" if c == 1 else "RGB"} images{f" trained on {dataset}" if dataset else ""},
made with [ganzoo](https://github.com/ganzoo/ganzoo), a pluggable GAN model zoo for PyTorch.

![samples](samples.png)

## Use

```python
import ganzoo

gan = ganzoo.from_pretrained("{repo_id}")
images = {sample_line}   # tensor in [-1, 1], (N, {c}, {h}, {w})
```

`ganzoo.from_pretrained("{repo_id}", generator_only=False)` also loads the discriminator and the
objective state (from `model.safetensors`) to continue training.

## Training

{_markdown_table({**{"model": f"`{model}`", "dataset": dataset or "—"}, **training}) if training or dataset else "Not recorded."}

Reproduce: `{config.get("command", "see recipe.yaml")}`. The full recipe is in `recipe.yaml`.

## Metrics

{_markdown_table(metrics) if metrics else "Not measured yet."}

{config.get("metrics_note", "")}

## Files

- `config.json` — the model name and every argument that rebuilds the architecture; sha256 of the weights
- `generator.safetensors` — generator weights ({config.get("generator_dtype", "float32")}){" (EMA)" if config.get("args", {}).get("recipe", {}).get("ema_decay") else ""}
- `model.safetensors` — the whole GAN in float32, to continue training (when present)
- `samples.png`, `recipe.yaml`
"""
    return ModelCard(f"---\n{data.to_yaml()}\n---\n{body}")
