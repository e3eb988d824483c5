"""Export a generator for use without ganzoo: ONNX, TorchScript or a ``torch.export`` program.

Noise models export ``(z[, labels]) -> images``; translators ``source -> images``. Outputs are
clamped to [-1, 1] like :meth:`ganzoo.GAN.sample`, the batch size stays free, and the networks are
exported in eval mode (EMA weights when the model keeps them). :func:`load_exported` runs an
exported file again (onnxruntime for ONNX) so it can be compared with the eager model.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor, nn

from .errors import ConfigError, GanzooError, MissingExtraError
from .gan import GAN, TranslationGAN
from .utils.files import atomic_write

FORMATS = ("onnx", "torchscript", "exported-program")
SUFFIXES = {"onnx": ".onnx", "torchscript": ".torchscript.pt", "exported-program": ".pt2"}
EXAMPLE_BATCH = 2
_OP = re.compile(r"aten(?:::|\.)[A-Za-z0-9_]+")


class ExportError(GanzooError, RuntimeError):
    """A generator that the chosen format cannot express."""


class _NoiseToImage(nn.Module):
    """``(z[, labels]) -> images`` in [-1, 1], with a fixed truncation psi when given."""

    def __init__(self, generator: nn.Module, truncation: float | None) -> None:
        super().__init__()
        self.generator = generator
        self.truncation = truncation

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        if self.truncation is None:
            return self.generator(z, labels).clamp(-1, 1)
        return self.generator(z, labels, truncation=self.truncation).clamp(-1, 1)


class _Unconditional(_NoiseToImage):
    def forward(self, z: Tensor) -> Tensor:  # one input, so exported files take only z
        return super().forward(z)


class _Translate(nn.Module):
    def __init__(self, generator: nn.Module) -> None:
        super().__init__()
        self.generator = generator

    def forward(self, source: Tensor) -> Tensor:
        return self.generator(source).clamp(-1, 1)


def export_module(
    gan: GAN, truncation: float | None = None
) -> tuple[nn.Module, tuple[Tensor, ...], list[str]]:
    """The eval-mode module that is exported (a CPU copy of the sampling generator, so files
    do not depend on the device the model was on), example inputs, and the inputs' names."""
    network = copy.deepcopy(gan.sampler).cpu().eval()
    device = torch.device("cpu")
    rng = torch.Generator().manual_seed(0)
    if isinstance(gan, TranslationGAN):
        if truncation is not None:
            raise ConfigError(f"{gan.name} translates images: it has no truncation to export.")
        source = torch.rand(EXAMPLE_BATCH, *gan.source_shape, generator=rng) * 2 - 1
        return _Translate(network).eval(), (source.to(device),), ["source"]
    if truncation is not None and not getattr(network, "supports_truncation", False):
        raise ConfigError(f"{gan.name} has no truncation trick; export it without --truncation.")
    z = torch.randn(EXAMPLE_BATCH, gan.latent_dim, generator=rng).to(device)
    if gan.num_classes:
        labels = (torch.arange(EXAMPLE_BATCH) % gan.num_classes).to(device)
        return _NoiseToImage(network, truncation).eval(), (z, labels), ["z", "labels"]
    return _Unconditional(network, truncation).eval(), (z,), ["z"]


def export_generator(
    gan: GAN,
    path: str | os.PathLike[str],
    format: str = "onnx",
    *,
    truncation: float | None = None,
) -> Path:
    """Write ``gan``'s generator to ``path`` in ``format`` (one of :data:`FORMATS`).

    Raises :class:`ExportError` naming the operator when the format cannot express one.
    """
    if format not in FORMATS:
        raise ConfigError(f"Unknown export format {format!r}; choose one of {', '.join(FORMATS)}.")
    module, inputs, names = export_module(gan, truncation)
    writer = {"onnx": _onnx, "torchscript": _torchscript, "exported-program": _exported_program}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer and exporter chatter, not the user's concern
            save = writer[format](module, inputs, names)
    except (GanzooError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as err:
        raise _unsupported(err, gan.name, format) from err
    return atomic_write(path, save)


def _unsupported(err: Exception, model: str, format: str) -> ExportError:
    text = f"{type(err).__name__}: {err}"
    chain, cause = [text], err.__cause__
    while cause is not None and len(chain) < 10:  # the converter's own error says which node
        chain.append(str(cause))
        cause = cause.__cause__
    op = _OP.search("\n".join(chain))
    what = f"operator {op.group(0).replace('.', '::', 1)}" if op else f"a construct ({text[:200]})"
    others = ", ".join(f for f in FORMATS if f != format)
    return ExportError(
        f"{format} cannot express {what} used by {model}'s generator; export it as {others}."
    )


def _batch_dims(inputs: tuple[Tensor, ...]) -> tuple[dict[int, object], ...]:
    batch = torch.export.Dim("batch", min=1, max=4096)
    return tuple({0: batch} for _ in inputs)


def _exported_program(module: nn.Module, inputs: tuple[Tensor, ...], names: list[str]):
    program = torch.export.export(module, inputs, dynamic_shapes=_batch_dims(inputs))

    def save(tmp: str) -> None:
        with open(tmp, "wb") as f:  # a file object: torch.export wants .pt2 names otherwise
            torch.export.save(program, f)

    return save


def _torchscript(module: nn.Module, inputs: tuple[Tensor, ...], names: list[str]):
    traced = torch.jit.trace(module, inputs, check_trace=False)

    def save(tmp: str) -> None:
        with warnings.catch_warnings():  # recent torch deprecates TorchScript; it still works
            warnings.simplefilter("ignore", FutureWarning)
            torch.jit.save(traced, tmp)

    return save


def _onnx(module: nn.Module, inputs: tuple[Tensor, ...], names: list[str]):
    try:
        import onnx  # noqa: F401  (the exporter needs it)
    except ImportError as err:
        raise MissingExtraError('ONNX export needs onnx: pip install "ganzoo[export]"') from err
    kwargs: dict[str, object] = {"input_names": names, "output_names": ["images"]}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:  # torch >= 2.5
        kwargs.update(dynamo=True, dynamic_shapes=_batch_dims(inputs), verbose=False)
        program = torch.onnx.export(module, inputs, **kwargs)
        if program is None:
            raise ExportError("torch.onnx.export returned no program.")
        return lambda tmp: program.save(tmp)
    axes = {name: {0: "batch"} for name in [*names, "images"]}
    return lambda tmp: torch.onnx.export(module, inputs, tmp, dynamic_axes=axes, **kwargs)


def load_exported(path: str | os.PathLike[str], format: str) -> Callable[..., Tensor]:
    """A function running the exported generator at ``path``: tensors in, a CPU tensor out."""
    path = str(path)
    if format == "onnx":
        try:
            import onnxruntime
        except ImportError as err:
            raise MissingExtraError(
                'Running ONNX files needs onnxruntime: pip install "ganzoo[export]"'
            ) from err
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]

        def run_onnx(*inputs: Tensor) -> Tensor:
            feed = {n: t.detach().cpu().numpy() for n, t in zip(names, inputs, strict=True)}
            return torch.from_numpy(session.run(None, feed)[0])

        return run_onnx
    if format == "torchscript":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            module = torch.jit.load(path, map_location="cpu")
    elif format == "exported-program":
        with open(path, "rb") as f:
            module = torch.export.load(f).module()
    else:
        raise ConfigError(f"Unknown export format {format!r}; choose one of {', '.join(FORMATS)}.")

    def run(*inputs: Tensor) -> Tensor:
        with torch.no_grad():
            return module(*[t.cpu() for t in inputs])

    return run
