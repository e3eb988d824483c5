"""Regenerate the model tables in README.md, docs/models.md and docs/pretrained.md.

python docs/scripts/model_table.py          # rewrite the tables in place
python docs/scripts/model_table.py --check  # exit 1 if they are stale (run by the tests)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ganzoo
from ganzoo.utils.marked_blocks import replace_block, write_or_check

ROOT = Path(__file__).resolve().parents[2]


def _millions(n: int) -> str:
    return f"{n / 1e6:.2f}M"


def _fids(name: str) -> str:
    """FID per published tag of ``name``, from the repo folders' config.json."""
    import json

    path = ROOT / "ganzoo" / "pretrained.json"
    index = json.loads(path.read_text()) if path.exists() else {}
    cells = []
    for tag, cfg in index.items():
        if tag.split(".")[0] != name:
            continue
        metrics = json.loads((ROOT / cfg["local_folder"] / "config.json").read_text()).get(
            "metrics", {}
        )
        fid = next((v for k, v in metrics.items() if k.startswith("FID")), None)
        if fid is not None:
            cells.append(f"{tag.split('.')[1]}: FID {fid}")
    return "; ".join(cells) + " (classifier features)" if cells else "—"


def readme_table() -> str:
    rows = [
        "| model | what it is | objective | pretrained tags | metrics (10k samples) |",
        "|---|---|---|---|---|",
    ]
    for name in ganzoo.list_models():
        info = ganzoo.model_info(name)
        objective = " + ".join(ganzoo.create(name).objective.terms)
        tags = ", ".join(f"`{name}.{t}`" for t in info["pretrained_tags"]) or "none yet"
        what = info["description"].split(":")[0]
        rows.append(f"| `{name}` | {what} | {objective} | {tags} | {_fids(name)} |")
    return "\n".join(rows)


def models_table() -> str:
    rows = [
        "| model | generator | discriminator | G params | D params | latent | n_critic | G lr | D lr | optimizer |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ganzoo.list_models():
        info = ganzoo.model_info(name)
        recipe = info["recipe"]
        g, d = recipe["g_optimizer"], recipe["d_optimizer"]
        optimizer = g["name"] if g["name"] == d["name"] else f"{g['name']} / {d['name']}"
        if g["name"] in ("adam", "adamw"):
            optimizer += f" β={tuple(g['betas'])}"
        rows.append(
            f"| `{name}` | {info['generator']} | {info['discriminator']} | {_millions(info['generator_params'])} "
            f"| {_millions(info['discriminator_params'])} | {info['latent_dim'] or 'image'} | {recipe['n_critic']} "
            f"| {g['lr']:g} | {d['lr']:g} | {optimizer} |"
        )
    return "\n".join(rows)


def pretrained_table() -> str:
    import json

    index = json.loads((ROOT / "ganzoo" / "pretrained.json").read_text())
    rows = [
        "| tag | samples | Hub repo (revision) | steps | training time | hardware | metrics |",
        "|---|---|---|---|---|---|---|",
    ]
    for tag, cfg in sorted(index.items()):
        folder = ROOT / cfg["local_folder"]
        config = json.loads((folder / "config.json").read_text())
        training = config.get("training", {})
        metrics = (
            ", ".join(f"{k} {v}" for k, v in (config.get("metrics") or {}).items())
            or "not measured yet"
        )
        rows.append(
            f"| `{tag}` | ![{tag}](../{cfg['local_folder']}/samples.png) | `{cfg['hf_hub_id']}` ({cfg['revision']}) "
            f"| {training.get('steps', '?')} | {training.get('training time', '?')} | {training.get('hardware', '?')} | {metrics} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    tables = {ROOT / "README.md": readme_table(), ROOT / "docs" / "models.md": models_table()}
    if (ROOT / "ganzoo" / "pretrained.json").exists():
        tables[ROOT / "docs" / "pretrained.md"] = pretrained_table()
    fresh = {path: replace_block(path.read_text(), "model-table", t) for path, t in tables.items()}
    return write_or_check(fresh, check=args.check, remedy="python docs/scripts/model_table.py")


if __name__ == "__main__":
    sys.exit(main())
