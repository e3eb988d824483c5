"""Where a model's weights live: the ``device=`` and ``dtype=`` of ``create``/``from_pretrained``."""

from __future__ import annotations

from typing import TypeVar

import torch
from torch import nn

from ..errors import ConfigError

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
Module = TypeVar("Module", bound=nn.Module)


def as_dtype(dtype: str | torch.dtype) -> torch.dtype:
    """``"float16"``/``"fp16"``/``"half"``/``torch.float16``... as a floating torch dtype."""
    if isinstance(dtype, torch.dtype) and dtype in _DTYPES.values():
        return dtype
    key = str(dtype).removeprefix("torch.").lower()
    key = {
        "fp32": "float32",
        "float": "float32",
        "fp16": "float16",
        "half": "float16",
        "bf16": "bfloat16",
    }.get(key, key)
    if key not in _DTYPES:
        raise ConfigError(f"dtype must be one of {', '.join(_DTYPES)}, got {dtype!r}.")
    return _DTYPES[key]


def place(
    module: Module, device: str | torch.device | None = None, dtype: str | torch.dtype | None = None
) -> Module:
    """``module`` moved to ``device`` and its floating weights cast to ``dtype`` (each if given)."""
    if device is not None:
        try:
            module = module.to(torch.device(device))
        except (RuntimeError, AssertionError) as err:
            raise ConfigError(f"Cannot use device {str(device)!r}: {err}".splitlines()[0]) from None
    if dtype is not None:
        module = module.to(as_dtype(dtype))
    return module
