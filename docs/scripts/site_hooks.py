"""MkDocs hooks of the docs site (``mkdocs.yml``): pages generated at build time and links that
leave ``docs/``.

- ``index.md``: the README, its links made relative to ``docs/``.
- ``api.md``: the API reference, mkdocstrings blocks for :data:`API` (the public API).
- ``gallery.md``: every registered model with its defaults, and every published tag with its
  sample grid and metrics (from ``ganzoo/pretrained.json`` and the ``pretrained/`` folders).
- A relative link to a file outside ``docs/`` (``../pretrained/x/samples.png``) is copied into
  the site under ``repo/`` and pointed there; a link to a folder or to Markdown outside
  ``docs/`` points at the repository on GitHub.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GITHUB = "https://github.com/ganzoo/ganzoo/blob/main"
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")

# The public API, as sections of `::: identifier` blocks (public import paths).
API: dict[str, list[str]] = {
    "Models and the registry": [
        "ganzoo.create",
        "ganzoo.create_generator",
        "ganzoo.list_models",
        "ganzoo.model_info",
        "ganzoo.is_model",
        "ganzoo.register_model",
        "ganzoo.split_model_name_tag",
        "ganzoo.build_gan",
        "ganzoo.rebuild",
        "ganzoo.load",
    ],
    "The GAN containers": [
        "ganzoo.GANBase",
        "ganzoo.GAN",
        "ganzoo.TranslationGAN",
        "ganzoo.Batch",
        "ganzoo.Recipe",
    ],
    "Networks": ["ganzoo.Generator", "ganzoo.Discriminator", "ganzoo.Translator"],
    "Objectives": [
        "ganzoo.Objective",
        "ganzoo.build_objective",
        "ganzoo.list_objectives",
        "ganzoo.list_regularizers",
    ],
    "Training": ["ganzoo.Trainer", "ganzoo.TrainConfig", "ganzoo.TrainResult", "ganzoo.load_gan"],
    "Plots of a run": [
        "ganzoo.plotting.read_history",
        "ganzoo.plotting.plot_history",
        "ganzoo.plotting.plot_run",
        "ganzoo.plotting.save_plot",
    ],
    "Latent paths": ["ganzoo.utils.latent_paths.slerp", "ganzoo.utils.latent_paths.chain"],
    "Data": ["ganzoo.load_dataset"],
    "Pretrained weights and the Hub": [
        "ganzoo.from_pretrained",
        "ganzoo.hub.save_pretrained",
        "ganzoo.hub.push_to_hub",
        "ganzoo.hub.pull",
    ],
    "Metrics": ["ganzoo.metrics.evaluate"],
    "Experiment trackers": ["ganzoo.train.trackers.Tracker", "ganzoo.train.trackers.open_trackers"],
    "Export": ["ganzoo.export.export_generator", "ganzoo.export.load_exported"],
    "Demo page": ["ganzoo.demo.launch"],
    "Errors": [
        "ganzoo.GanzooError",
        "ganzoo.ConfigError",
        "ganzoo.DataError",
        "ganzoo.CheckpointError",
        "ganzoo.UnknownNameError",
        "ganzoo.TrainingDiverged",
        "ganzoo.DistributedError",
    ],
}


def api_page() -> str:
    lines = ["# API reference", "", "Generated from the docstrings of the public API.", ""]
    for section, names in API.items():
        lines += [f"## {section}", ""]
        lines += [f"::: {name}\n" for name in names]
    return "\n".join(lines)


def readme_page() -> str:
    """The README as the site's home page (links into docs/ made local, others via ../)."""

    def local(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"^[a-z]+:|^#|^/", target):
            return match.group(0)
        target = target[len("docs/") :] if target.startswith("docs/") else f"../{target}"
        return f"{match.group(1)}{target}{match.group(3)}"

    return LINK.sub(local, (ROOT / "README.md").read_text())


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|")


def gallery_page() -> tuple[str, dict[str, Path]]:
    """The gallery's Markdown and the sample grids it shows (site path -> file)."""
    import ganzoo
    from ganzoo.local_weights import local_folder, published

    images: dict[str, Path] = {}
    lines = [
        "# Model gallery",
        "",
        "Every registered model with its defaults (`ganzoo info NAME` shows the same), and the "
        "published tags with their sample grids and metrics. Generated from the registry when "
        "the site is built.",
        "",
    ]
    tags = published()
    for name in ganzoo.list_models():
        info = ganzoo.model_info(name)
        summary, _, rest = info["description"].partition("\n")
        recipe = info["recipe"]
        lines += [f"## {name}", "", summary, ""]
        if rest.strip():
            lines += [rest.strip(), ""]
        c, h, w = info["image_shape"]
        rows = [
            ("image", f"{c}x{h}x{w}"),
            ("latent dim", info["latent_dim"] or "none (translates images)"),
            ("classes", info["num_classes"] or "unconditional"),
            ("generator", f"`{info['generator']}`, {info['generator_params']:,} parameters"),
            (
                "discriminator",
                f"`{info['discriminator']}`, {info['discriminator_params']:,} parameters",
            ),
            ("objective", f"`{info['objective']}`"),
            ("steps, batch size", f"{recipe.get('steps')}, {recipe.get('batch_size')}"),
            ("aliases", ", ".join(info["aliases"]) or "none"),
        ]
        lines += ["| default | value |", "|---|---|"]
        lines += [f"| {k} | {_cell(v)} |" for k, v in rows]
        lines.append("")
        for tag in info["pretrained_tags"]:
            full = f"{name}.{tag}"
            config_path = None
            folder = local_folder(full)
            lines += [f"### `{full}`", ""]
            if folder is not None:
                config_path = folder / "config.json"
                if (folder / "samples.png").is_file():
                    site_path = f"gallery/{full}.png"
                    images[site_path] = folder / "samples.png"
                    lines += [f"![{full} samples]({site_path})", ""]
            entry = tags.get(full, {})
            lines.append(f"Hub repo `{entry.get('hf_hub_id')}` (revision {entry.get('revision')}).")
            if config_path is not None:
                config = json.loads(config_path.read_text())
                training = config.get("training", {})
                lines.append(
                    f"Trained on {config.get('dataset')} for {training.get('steps')} steps "
                    f"({training.get('training time')}, {training.get('hardware')})."
                )
                metrics = config.get("metrics", {})
                if metrics:
                    lines += ["", "| metric | value |", "|---|---|"]
                    lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in metrics.items()]
                if config.get("metrics_note"):
                    lines += ["", f"*{config['metrics_note']}*"]
            lines.append("")
    return "\n".join(lines), images


def _outside_target(page_dir: Path, target: str) -> Path | None:
    """The repository path a relative link points to when it leaves docs/ (or is a folder)."""
    if re.match(r"^[a-z]+:|^#|^/", target):
        return None
    path = (page_dir / target.split("#")[0]).resolve()
    inside_docs = path.is_relative_to(DOCS)
    if not path.is_relative_to(ROOT) or not path.exists():
        return None
    if inside_docs and not path.is_dir():
        return None
    return path


def _rewritten(page_dir: Path, target: str) -> str:
    path = _outside_target(page_dir, target)
    if path is None:
        return target
    relative = path.relative_to(ROOT).as_posix()
    if path.is_dir() or path.suffix == ".md":
        kind = "tree" if path.is_dir() else "blob"
        return f"{GITHUB.replace('/blob/', f'/{kind}/')}/{relative}"
    depth = len(page_dir.relative_to(DOCS).parts)
    return "../" * depth + f"repo/{relative}"


_generated: dict[str, str] = {}


def on_files(files: Files, config: Any) -> Files:
    gallery, images = gallery_page()
    _generated.update({"index.md": readme_page(), "api.md": api_page(), "gallery.md": gallery})
    for src_uri, content in _generated.items():
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, content=content))
    for src_uri, path in images.items():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    copied: set[str] = set()
    texts = [(DOCS / f.src_uri, f.content_string) for f in files if f.src_uri.endswith(".md")]
    for page_path, text in texts:
        for match in LINK.finditer(text):
            path = _outside_target(page_path.parent, match.group(2))
            if path is None or path.is_dir() or path.suffix == ".md":
                continue
            src_uri = f"repo/{path.relative_to(ROOT).as_posix()}"
            if src_uri not in copied:
                copied.add(src_uri)
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    page_dir = (DOCS / page.file.src_uri).parent

    def fix(match: re.Match[str]) -> str:
        return f"{match.group(1)}{_rewritten(page_dir, match.group(2))}{match.group(3)}"

    return LINK.sub(fix, markdown)
