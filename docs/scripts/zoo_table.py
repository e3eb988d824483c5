"""Write the reproduction table and FID charts of docs/zoo.md from the committed results.

    python docs/scripts/zoo_table.py          # rewrite docs/zoo.md's table and the charts
    python docs/scripts/zoo_table.py --check  # exit 1 if the table is stale (run by the tests)

Reads docs/zoo/results/*.json (written by docs/scripts/zoo_fid.py) and docs/zoo/lucic2018.json
(the published anchor). Each family with a Lucic et al. row is set beside its best FID; the
charts (docs/images/zoo_fid_<dataset>.png) draw the same numbers. A tag with seed replicates
(docs/zoo/results/seeds/, ``zoo_fid.py --seed-runs``) also gets the mean and sample standard
deviation of its FID over the published run (seed 0) and them. Nothing here is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

from ganzoo.utils.marked_blocks import has_block, replace_block, write_or_check

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "zoo" / "results"
ANCHOR = ROOT / "docs" / "zoo" / "lucic2018.json"
PAGE = ROOT / "docs" / "zoo.md"
README = ROOT / "README.md"
INDEX = ROOT / "ganzoo" / "pretrained.json"
DATASETS = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


def load_results() -> tuple[list[dict], dict[str, dict]]:
    """The per-tag results (sorted by dataset, then FID) and the floors by dataset; a tag with
    seed replicates holds their FIDs under ``"replicate_fids"`` and their training records
    under ``"replicate_training"``."""
    tags, floors = [], {}
    replicates: dict[str, list[dict]] = {}
    for path in sorted((RESULTS / "seeds").glob("*.json")):
        record = json.loads(path.read_text())
        replicates.setdefault(record["tag"], []).append(record)
    for path in sorted(RESULTS.glob("*.json")):
        record = json.loads(path.read_text())
        if path.name.startswith("floor."):
            floors[record["dataset"]] = record
        else:
            repeats = replicates.get(record["tag"], [])
            tags.append(
                record
                | {
                    "replicate_fids": [r["inception"]["fid"] for r in repeats],
                    "replicate_training": [r.get("training", {}) for r in repeats],
                }
            )
    # noise models by dataset, then the translators (their dataset is a task) by task
    order = [*DATASETS, *sorted({r["dataset"] for r in tags} - set(DATASETS))]
    tags.sort(key=lambda r: (order.index(r["dataset"]), r["inception"]["fid"]))
    return tags, floors


def measured_other_weights(tags: list[dict], index: dict[str, dict]) -> list[str]:
    """The tags whose result measured weights other than the ones pinned now (the tag was
    republished since): their rows would describe weights nobody downloads."""
    return [r["tag"] for r in tags if r.get("sha256") != index.get(r["tag"], {}).get("sha256")]


def planned_steps(training: dict) -> int | None:
    """The steps a run was planned for: its published checkpoint may be the run's best, at an
    earlier step. Records from 2026-12-03 on say so as ``planned steps``; older ones say
    ``... at step S of N`` when the best was published."""
    if training.get("planned steps"):
        return int(training["planned steps"])
    best = re.search(r" of (\d+)$", training.get("checkpoint", ""))
    return int(best.group(1)) if best else training.get("steps")


def replicates_of_other_recipes(tags: list[dict]) -> list[str]:
    """The tags with a seed replicate planned for other steps or batch size than the published
    run (the recipe changed since): its FID would be averaged with another recipe's."""

    def plan(training: dict) -> tuple:
        return planned_steps(training), training.get("batch size")

    return [
        r["tag"]
        for r in tags
        if any(plan(t) != plan(r.get("training", {})) for t in r.get("replicate_training", []))
    ]


def precision_of(training: dict) -> str:
    """The arithmetic a run trained in (``bf16``, ``fp32``) from its training record."""
    note = training.get("precision and speed")
    return note.split()[0].rstrip(",") if note else "unrecorded precision"


def over_seeds(record: dict) -> str:
    """``mean ± std (k seeds)`` of a tag's FID and its replicates', or — without replicates;
    seeds trained in different precisions (machines with and without bf16) say which."""
    fids = [record["inception"]["fid"], *record.get("replicate_fids", [])]
    if len(fids) < 2:
        return "—"
    runs = [record.get("training", {}), *record.get("replicate_training", [])]
    precisions = sorted({precision_of(t) for t in runs})
    mixed = f"; {' and '.join(precisions)}" if len(precisions) > 1 else ""
    spread = f"{statistics.mean(fids):.2f} ± {statistics.stdev(fids):.2f}"
    return f"{spread} ({len(fids)} seeds{mixed})"


def verdict(fid: float, target: float | None) -> str:
    """'met' or how far above the target a FID is."""
    if target is None:
        return "—"
    return "met" if fid <= target else f"+{fid - target:.1f} over"


def target_families(anchor: dict) -> dict[str, str]:
    """The families held to their Lucic et al. row; those under ``context_only`` are shown
    beside a row whose setup differs from theirs (see docs/zoo/lucic2018.json), not held to it."""
    context = anchor.get("context_only", {})
    return {m: row for m, row in anchor["ganzoo_family"].items() if m not in context}


def table(tags: list[dict], floors: dict[str, dict], anchor: dict, index: dict[str, dict]) -> str:
    family_of = anchor["ganzoo_family"]
    held = target_families(anchor)
    rows = []
    for dataset, title in DATASETS.items():
        rows += [f"**{title}**" + _floor_line(floors.get(dataset)), ""]
        if not any(r["dataset"] == dataset for r in tags):
            rows += ["No tag measured yet.", ""]
            continue
        rows += [
            "| tag | Inception FID | over seeds | Lucic et al. best | target | KID "
            "| precision / recall | classes | classifier FID | steps | CPU time |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in (r for r in tags if r["dataset"] == dataset):
            model, fid = r["model"], r["inception"]["fid"]
            lucic_name = family_of.get(model)
            lucic = anchor["best_fid"][lucic_name][dataset] if lucic_name else None
            target = verdict(fid, lucic) if model in held or lucic is None else "context only"
            training = r.get("training", {})
            rows.append(
                f"| `{r['tag']}` | {fid:.2f} | {over_seeds(r)} "
                f"| {f'{lucic} ({lucic_name})' if lucic else '—'} | {target} "
                f"| {r['inception']['kid']:.4f} "
                f"| {r['inception']['precision']:.2f} / {r['inception']['recall']:.2f} "
                f"| {r['classifier'].get('classes_covered', '—')} / 10 "
                f"| {r['classifier']['fid']:.2f} | {training.get('steps', '—')} "
                f"| {training.get('training time', '—')} |"
            )
        if any(r["dataset"] == dataset for r in tags):
            rows += [
                "",
                f"![Inception FID per tag on {title}, ganzoo beside Lucic et al.]"
                f"(images/zoo_fid_{dataset}.png)",
            ]
        rows.append("")
    rows += translation_table([r for r in tags if r["dataset"] not in DATASETS])
    best = {
        d: min(
            (r for r in tags if r["dataset"] == d),
            key=lambda r: r["inception"]["fid"],
            default=None,
        )
        for d in DATASETS
    }
    goal = anchor["targets"]["best_model"]
    rows += scoreboard(tags, anchor, index)
    for dataset, r in best.items():
        if r is not None:
            rows.append(best_line(DATASETS[dataset], r, goal[dataset]))
    return "\n".join(rows).rstrip() + "\n"


def best_line(title: str, record: dict, goal: float) -> str:
    """The bullet of a dataset's best tag: its FID against the target, and over its seeds (the
    mean and spread, and how many seeds are under the target) or that it has none yet."""
    fid = record["inception"]["fid"]
    line = f"- Best on {title}: `{record['tag']}`, FID {fid:.2f} "
    line += f"(target < {goal}: {verdict(fid, goal)})"
    fids = [fid, *record.get("replicate_fids", [])]
    if len(fids) < 2:
        return f"{line}; not repeated with other seeds yet."
    under = sum(f < goal for f in fids)
    return f"{line}; over seeds {over_seeds(record)}, {under} of {len(fids)} under the target."


def translation_table(tags: list[dict]) -> list[str]:
    """Rows of the translators (no Lucic et al. row): their translations of the task's test
    sources against the target domain's test images (thin2thick: the task's own test targets),
    with the same metrics."""
    if not tags:
        return []
    rows = [
        "**Translation tasks** (translations of the task's test sources, 10k or all there "
        "are, against as many of the target domain's test images, or of the task's own test "
        "targets where they are not a dataset's test images; the floor is the target's)",
        "",
        "| tag | target | Inception FID | KID | precision / recall | classes "
        "| classifier FID | steps | CPU time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in tags:
        training = r.get("training", {})
        rows.append(
            f"| `{r['tag']}` | {DATASETS.get(r['target'], r['target'])} "
            f"| {r['inception']['fid']:.2f} | {r['inception']['kid']:.4f} "
            f"| {r['inception']['precision']:.2f} / {r['inception']['recall']:.2f} "
            f"| {r['classifier'].get('classes_covered', '—')} / 10 "
            f"| {r['classifier']['fid']:.2f} | {training.get('steps', '—')} "
            f"| {training.get('training time', '—')} |"
        )
    return [*rows, ""]


def scoreboard(tags: list[dict], anchor: dict, index: dict[str, dict]) -> list[str]:
    """Bullets counting the (family, dataset) pairs held to a Lucic et al. row: met, over, and the
    published tags of those families not measured with Inception features yet; then the
    families that meet their target on both datasets and on one; then how many of all the
    published tags have an Inception result, naming the others."""
    family_of = target_families(anchor)
    measured = {r["tag"]: r for r in tags}
    met, over, pending, others = [], [], [], []
    met_datasets: dict[str, int] = {}
    for tag in sorted(index):
        model, _, dataset = tag.partition(".")
        dataset = dataset.replace("_", "-")
        if model not in family_of or dataset not in DATASETS:
            if tag not in measured:
                others.append(f"`{tag}`")
            continue
        if tag not in measured:
            pending.append(f"`{tag}`")
            continue
        fid = measured[tag]["inception"]["fid"]
        target = anchor["best_fid"][family_of[model]][dataset]
        if verdict(fid, target) == "met":
            met.append(f"`{tag}`")
            met_datasets[model] = met_datasets.get(model, 0) + 1
        else:
            over.append(f"`{tag}` (+{fid - target:.1f})")
    total = len(met) + len(over) + len(pending)
    return [
        f"- Lucic et al. targets met: {len(met)} of {total} family and dataset pairs"
        + (f" ({', '.join(met)})" if met else "")
        + ".",
        f"- Over their target: {', '.join(over) or 'none'}.",
        f"- Pairs not measured with Inception features yet: {', '.join(pending) or 'none'}.",
        f"- Families at or under their target on both datasets: {_families(met_datasets, 2)} "
        f"of {len(family_of)}; on one of them: {_families(met_datasets, 1)}.",
        f"- Tags measured with Inception features: {len(measured)} of {len(index)}; not yet: "
        f"{', '.join(others) or 'none'}.",
    ]


def _families(met_datasets: dict[str, int], count: int) -> str:
    names = sorted(m for m, n in met_datasets.items() if n == count)
    return f"{len(names)}" + (f" ({', '.join(f'`{m}`' for m in names)})" if names else "")


def _floor_line(floor: dict | None) -> str:
    if floor is None:
        return " (feature floor not measured yet)"
    return (
        f" (floor, FID of 10k train vs 10k test images: Inception {floor['fid_inception']:.2f}, "
        f"classifier {floor['fid_classifier']:.2f})"
    )


def chart(tags: list[dict], anchor: dict, dataset: str, out: Path, floor: dict | None) -> None:
    """Bar chart of ganzoo's Inception FID per tag beside Lucic et al.'s best for that family."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in tags if r["dataset"] == dataset]
    names = [r["model"] for r in rows]
    ours = [r["inception"]["fid"] for r in rows]
    family_of = anchor["ganzoo_family"]
    theirs = [
        anchor["best_fid"][family_of[m]][dataset] if m in family_of else float("nan") for m in names
    ]
    fig, ax = plt.subplots(figsize=(max(4, 0.9 * len(names) + 2), 3.2), dpi=110)
    x = range(len(names))
    ax.bar([i - 0.2 for i in x], ours, width=0.4, label="ganzoo")
    ax.bar([i + 0.2 for i in x], theirs, width=0.4, label="Lucic et al. 2018 (best)")
    if floor is not None:
        ax.axhline(floor["fid_inception"], color="grey", linestyle="--", label="floor")
    ax.set_xticks(list(x), names, rotation=30, ha="right")
    ax.set_ylabel("Inception FID (10k vs 10k test)")
    ax.set_title(f"{DATASETS[dataset]}: lower is better")
    ax.set_xlim(-0.8, len(names) - 0.2)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    fig.tight_layout()
    fig.savefig(out, metadata={"Software": None})  # no version stamp: reruns give the same file
    plt.close(fig)


def hero(tags: list[dict], index: dict[str, dict]) -> str:
    """The README's first image: the grid of the best MNIST tag, its FID under it."""
    best = min((r for r in tags if r["dataset"] == "mnist"), key=lambda r: r["inception"]["fid"])
    folder = index[best["tag"]]["local_folder"]
    return (
        f"![Samples of {best['tag']}, the best MNIST tag measured]({folder}/samples.png)\n\n"
        f"*`{best['tag']}` (`ganzoo sample {best['tag']}`): Inception FID "
        f"{best['inception']['fid']:.2f}, 10k samples vs the 10k test images, the protocol of "
        f"Lucic et al. 2018 ([the reproduction table](docs/zoo.md)).*\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/zoo.md is stale")
    args = parser.parse_args()
    tags, floors = load_results()
    index = json.loads(INDEX.read_text())
    stale = measured_other_weights(tags, index)
    if stale:
        print(
            f"{', '.join(stale)}: the result measured other weights than ganzoo/pretrained.json "
            "pins; remeasure: python docs/scripts/zoo_fid.py --data-root DATA_ROOT --force "
            + " ".join(f"--only {t}" for t in stale)
        )
        return 1
    other_recipe = replicates_of_other_recipes(tags)
    if other_recipe:
        print(
            f"{', '.join(other_recipe)}: a seed replicate in docs/zoo/results/seeds/ trained "
            "for other steps or batch size than the published run; retrain it with the current "
            "recipe (train_pretrained.py --seed N) and remeasure (zoo_fid.py --seed-runs --force)"
        )
        return 1
    anchor = json.loads(ANCHOR.read_text())
    fresh = {PAGE: replace_block(PAGE.read_text(), "zoo-table", table(tags, floors, anchor, index))}
    readme = README.read_text()
    if has_block(readme, "zoo-hero") and tags:
        fresh[README] = replace_block(readme, "zoo-hero", hero(tags, index))
    status = write_or_check(fresh, check=args.check, remedy="python docs/scripts/zoo_table.py")
    if args.check:
        return status
    for dataset in DATASETS:
        if any(r["dataset"] == dataset for r in tags):
            out = ROOT / "docs" / "images" / f"zoo_fid_{dataset}.png"
            chart(tags, anchor, dataset, out, floors.get(dataset))
    return 0


if __name__ == "__main__":
    sys.exit(main())
