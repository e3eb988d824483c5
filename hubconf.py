"""torch.hub entry points: ``torch.hub.load("<clone>", "dcgan", source="local", pretrained=True)``.

One entry point per registered model (``wgan-gp`` is ``wgan_gp``). Each returns a ``ganzoo.GAN``;
``pretrained=True`` loads a published tag (``tag="fashion_mnist"``; default the first one) from
the clone's ``pretrained/`` folders, else from the Hugging Face Hub. Other keyword arguments are
the model's arguments (``img_size=64``, ``channels=3``, ...).
"""

from __future__ import annotations

from typing import Any

dependencies = ["torch", "torchvision", "timm", "huggingface_hub", "einops", "safetensors"]


def _entry_point(name: str):
    def load(pretrained: bool = False, tag: str | None = None, **kwargs: Any):
        import ganzoo
        from ganzoo.local_weights import load_source, published

        if not pretrained:
            return ganzoo.create(name, **kwargs)
        tags = [t for t in published() if t.split(".")[0] == name]  # published order
        if not tags:
            raise ganzoo.GanzooError(f"No pretrained weights are published for {name!r} yet.")
        chosen = f"{name}.{tag}" if tag else tags[0]
        if chosen not in tags:
            raise ganzoo.GanzooError(f"{name} has no tag {tag!r}; published: {', '.join(tags)}.")
        return load_source(chosen)

    load.__name__ = name.replace("-", "_")
    load.__doc__ = f"ganzoo's {name!r} GAN (pretrained=True: published weights, tag=...)."
    return load


def _register() -> None:
    import ganzoo

    for name in ganzoo.list_models():
        globals()[name.replace("-", "_")] = _entry_point(name)


_register()
