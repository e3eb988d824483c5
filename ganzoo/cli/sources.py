"""What a SOURCE argument names: the model it loads and the data it was trained on."""

from __future__ import annotations

from pathlib import Path


def load_any(source: str, device: str = "cpu"):  # -> GANBase
    """A GAN from a checkpoint/run folder, a ganzoo model folder, a Hub repo id or a model.tag."""
    from ..loading import load

    return load(source, device)


def trained_on(source: str) -> str | None:
    """The dataset a run folder, checkpoint, model folder or ``model.tag`` was trained on, when
    it is recorded (``run.yaml``'s data name, config.json's ``dataset``, the tag)."""
    from ..hub import CONFIG_NAME, read_config
    from ..train.checkpoint import run_record

    path = Path(source)
    record = run_record(path)
    if record:
        return (record.get("data") or {}).get("name")
    if (path / CONFIG_NAME).is_file():
        return read_config(path / CONFIG_NAME).get("dataset")
    if "." in source and "/" not in source and not path.exists():
        return source.split(".", 1)[1]
    return None
