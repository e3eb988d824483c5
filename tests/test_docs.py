"""The docs' generated tables match the registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import stopping_trainer, tiny_args

ROOT = Path(__file__).resolve().parents[1]


def test_model_tables_are_current() -> None:
    script = ROOT / "docs" / "scripts" / "model_table.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def test_every_model_has_a_recipe_per_dataset() -> None:
    import ganzoo

    configs = {p.stem for p in (ROOT / "zoo_configs").glob("*.yaml")}
    tasks = {
        "pix2pix": ("edges2mnist", "edges2fashion"),
        "cyclegan": ("thin2thick", "mnist2fashion"),
    }
    for name in ganzoo.list_models():
        for dataset in tasks.get(name, ("mnist", "fashion_mnist")):
            assert f"{name.replace('-', '_')}_{dataset}" in configs


def test_zoo_table_is_current() -> None:
    """docs/zoo.md's reproduction table is what zoo_table.py makes of the committed results."""
    script = ROOT / "docs" / "scripts" / "zoo_table.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_precision_blocks_are_current() -> None:
    """docs/benchmarks.md's precision blocks are what precision_report.py makes of the JSON."""
    script = ROOT / "docs" / "scripts" / "precision_report.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zoo_table_refuses_a_result_of_other_weights_than_the_pinned_ones() -> None:
    stale = _script("zoo_table").measured_other_weights
    index = {"dcgan.mnist": {"sha256": "ab"}, "lsgan.mnist": {"sha256": "cd"}}
    tags = [{"tag": "dcgan.mnist", "sha256": "ab"}, {"tag": "lsgan.mnist", "sha256": "ef"}]
    assert stale(tags, index) == ["lsgan.mnist"]
    assert stale([{"tag": "gone.mnist", "sha256": "ab"}], index) == ["gone.mnist"]


def test_zoo_table_verdicts() -> None:
    """The target column says 'met' at or below the anchor, else by how much it is over."""
    verdict = _script("zoo_table").verdict
    assert verdict(6.8, 6.8) == "met"
    assert verdict(9.0, 6.8) == "+2.2 over"
    assert verdict(3.0, None) == "—"


def test_zoo_table_gives_a_tag_with_seed_replicates_its_mean_and_spread() -> None:
    over_seeds = _script("zoo_table").over_seeds
    assert over_seeds({"inception": {"fid": 17.0}}) == "—"
    record = {"inception": {"fid": 17.0}, "replicate_fids": [18.0, 16.0]}
    assert over_seeds(record) == "17.00 ± 1.00 (3 seeds)"
    bf16 = {"precision and speed": "bf16 autocast, channels_last (precision auto: ...)"}
    fp32 = {"precision and speed": "fp32 (precision auto: this CPU has no native bf16)"}
    same = record | {"training": fp32, "replicate_training": [fp32, fp32]}
    assert over_seeds(same) == "17.00 ± 1.00 (3 seeds)"
    mixed = record | {"training": bf16, "replicate_training": [fp32, fp32]}
    assert over_seeds(mixed) == "17.00 ± 1.00 (3 seeds; bf16 and fp32)"


def test_zoo_table_gives_the_best_tag_over_its_seeds() -> None:
    best_line = _script("zoo_table").best_line
    record = {"tag": "dcgan.fashion_mnist", "inception": {"fid": 13.95}}
    alone = best_line("Fashion-MNIST", record, 15.0)
    assert alone == (
        "- Best on Fashion-MNIST: `dcgan.fashion_mnist`, FID 13.95 (target < 15.0: met); "
        "not repeated with other seeds yet."
    )
    seeds = best_line("Fashion-MNIST", record | {"replicate_fids": [15.25, 14.05]}, 15.0)
    assert seeds.endswith("; over seeds 14.42 ± 0.72 (3 seeds), 2 of 3 under the target.")


def test_zoo_table_refuses_a_replicate_of_another_recipe() -> None:
    other_recipes = _script("zoo_table").replicates_of_other_recipes
    published = {"steps": 36000, "batch size": 64, "seed": 0}
    tag = {"tag": "dcgan.fashion_mnist", "training": published}
    same = tag | {"replicate_training": [published | {"seed": 1}]}
    assert other_recipes([same, {"tag": "lsgan.mnist"}]) == []
    shorter = tag | {"replicate_training": [published | {"seed": 1, "steps": 28000}]}
    assert other_recipes([shorter]) == ["dcgan.fashion_mnist"]
    best = "best of the run: classifier FID 1.6 at step {} of {}"  # published: the best step
    early_best = published | {"steps": 34000, "checkpoint": best.format(34000, 36000)}
    assert other_recipes([tag | {"replicate_training": [early_best]}]) == []
    longer = published | {"steps": 36000, "checkpoint": best.format(36000, 44000)}
    assert other_recipes([tag | {"replicate_training": [longer]}]) == ["dcgan.fashion_mnist"]
    recorded = published | {"steps": 30000, "planned steps": 36000}  # newer records say so
    assert other_recipes([tag | {"replicate_training": [recorded]}]) == []
    planned_longer = recorded | {"planned steps": 44000}
    assert other_recipes([tag | {"replicate_training": [planned_longer]}]) == [
        "dcgan.fashion_mnist"
    ]


def test_zoo_scoreboard_counts_met_over_and_unmeasured_family_tags() -> None:
    """Only tags of families with a Lucic et al. row count; unmeasured ones are listed; a family
    counts as meeting its targets on both datasets or on one; the last line counts every tag."""
    scoreboard = _script("zoo_table").scoreboard
    anchor = {
        "ganzoo_family": {"dcgan": "NS GAN", "wgan": "WGAN"},
        "best_fid": {
            "NS GAN": {"mnist": 6.8, "fashion-mnist": 26.5},
            "WGAN": {"mnist": 6.7, "fashion-mnist": 21.5},
        },
    }
    index = {tag: {} for tag in ("dcgan.mnist", "dcgan.fashion_mnist", "wgan.mnist", "cgan.mnist")}
    tags = [
        {"tag": "dcgan.mnist", "inception": {"fid": 9.0}},
        {"tag": "dcgan.fashion_mnist", "inception": {"fid": 26.5}},
        {"tag": "cgan.mnist", "inception": {"fid": 1.0}},
    ]
    assert scoreboard(tags, anchor, index) == [
        "- Lucic et al. targets met: 1 of 3 family and dataset pairs (`dcgan.fashion_mnist`).",
        "- Over their target: `dcgan.mnist` (+2.2).",
        "- Pairs not measured with Inception features yet: `wgan.mnist`.",
        "- Families at or under their target on both datasets: 0 of 2; on one of them: 1 "
        "(`dcgan`).",
        "- Tags measured with Inception features: 3 of 4; not yet: none.",
    ]
    tags.pop()  # cgan has no Lucic row: it is counted among all the tags, not the pairs
    assert scoreboard(tags, anchor, index)[-1] == (
        "- Tags measured with Inception features: 2 of 4; not yet: `cgan.mnist`."
    )
    tags[0]["inception"]["fid"] = 6.8
    assert scoreboard(tags, anchor, index)[-2] == (
        "- Families at or under their target on both datasets: 1 (`dcgan`) of 2; on one of them: 0."
    )


def test_a_context_only_family_is_shown_beside_its_row_but_not_counted() -> None:
    zoo_table = _script("zoo_table")
    anchor = {
        "ganzoo_family": {"dcgan": "NS GAN", "vanilla": "MM GAN"},
        "best_fid": {"NS GAN": {"mnist": 6.8}, "MM GAN": {"mnist": 9.8}},
        "context_only": {"vanilla": "an MLP, not the paper's conv net"},
    }
    assert zoo_table.target_families(anchor) == {"dcgan": "NS GAN"}
    index = {"dcgan.mnist": {}, "vanilla.mnist": {}}
    tags = [{"tag": "vanilla.mnist", "inception": {"fid": 90.0}}]
    board = zoo_table.scoreboard(tags, anchor, index)
    assert board[0] == "- Lucic et al. targets met: 0 of 1 family and dataset pairs."
    assert board[1] == "- Over their target: none."
    assert board[-2].endswith("both datasets: 0 of 1; on one of them: 0.")


def test_republished_weights_get_the_next_hub_revision() -> None:
    revision_after = _script("train_pretrained").revision_after
    assert revision_after(None, "aa") == "v1"
    assert revision_after({"revision": "v1", "sha256": "aa"}, "aa") == "v1"
    assert revision_after({"revision": "v1", "sha256": "aa"}, "bb") == "v2"
    assert revision_after({"revision": "v9", "sha256": "aa"}, "bb") == "v10"


def test_pinning_a_tag_moves_its_revision_on_and_keeps_the_others(tmp_path: Path) -> None:
    pin = _script("train_pretrained").pin
    index = tmp_path / "pretrained.json"
    entry = {"hf_hub_id": "ganzoo/dcgan-mnist", "sha256": "aa", "filename": "g.safetensors"}
    assert pin(index, "dcgan.mnist", entry)["revision"] == "v1"
    pin(index, "wgan.mnist", {**entry, "hf_hub_id": "ganzoo/wgan-mnist"})
    assert pin(index, "dcgan.mnist", entry)["revision"] == "v1"  # the same weights again
    assert pin(index, "dcgan.mnist", {**entry, "sha256": "bb"})["revision"] == "v2"
    pinned = json.loads(index.read_text())
    assert list(pinned) == ["dcgan.mnist", "wgan.mnist"]  # the recipes' published order
    assert list(pinned["dcgan.mnist"]) == ["hf_hub_id", "revision", "sha256", "filename"]
    assert (pinned["dcgan.mnist"]["sha256"], pinned["wgan.mnist"]["revision"]) == ("bb", "v1")


def test_a_replicate_is_measured_as_the_tag_it_repeats() -> None:
    zoo_fid = _script("zoo_fid")
    assert zoo_fid.replicate_tag("wgan-gp", "fashion-mnist") == "wgan-gp.fashion_mnist"
    assert zoo_fid.replicate_tag("dcgan", "mnist") in _pretrained_tags()


def test_an_unfinished_replicate_is_named_and_not_measured(tmp_path) -> None:
    """A replicate stopped short of its planned steps (one that spans sessions) would pass for
    the recipe's result; zoo_fid.py --seed-runs measures only finished ones."""
    import ganzoo
    from ganzoo.data import TensorImages, load_embedded

    data = load_embedded()
    digits = TensorImages(data.images[:64], data.labels[:64], 10, "digits")
    seeds = tmp_path / "seeds"
    settings = {"batch_size": 8, "progress": False, "num_samples": 8, "gif": False, "steps": 4}
    for seed, trainer in ((1, stopping_trainer(2)), (2, ganzoo.Trainer)):
        gan = ganzoo.create("dcgan", **tiny_args("dcgan"))
        trainer(gan, digits, seeds / "dcgan_mnist" / f"seed{seed}", **settings).fit()
    (seeds / "dcgan_mnist" / "seed3").mkdir()  # no checkpoint yet: not a replicate
    finished, unfinished = _script("zoo_fid").replicate_runs(seeds)
    assert finished == [seeds / "dcgan_mnist" / "seed2"]
    assert len(unfinished) == 1 and "seed1: at step 2 of 4, not measured" in unfinished[0]
    assert "--only dcgan_mnist --seed 1" in unfinished[0]
    replicate_runs = _script("zoo_fid").replicate_runs
    named = replicate_runs(seeds, only=[seeds / "dcgan_mnist" / "seed1"])
    assert named[0] == [] and named[1] == unfinished
    assert replicate_runs(seeds, only=[seeds / "dcgan_mnist" / "seed2"]) == (finished, [])
    with pytest.raises(SystemExit, match="takes replicate folders") as refused:
        replicate_runs(seeds, only=[seeds / "dcgan_mnist" / "seed2", tmp_path])
    assert str(refused.value).endswith(f"not one: {tmp_path}")  # names only the stranger


def test_seed_zero_is_not_a_replicate(tmp_path) -> None:
    script = ROOT / "docs" / "scripts" / "train_pretrained.py"
    command = [sys.executable, str(script), "--data-root", str(tmp_path), "--only", "dcgan_mnist"]
    result = subprocess.run([*command, "--seed", "0"], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "seed 0 is the published run" in result.stderr
    result = subprocess.run([*command[:4], "--seed", "1"], capture_output=True, text=True)
    assert result.returncode == 2 and "--seed needs --only" in result.stderr


def test_a_branch_starts_only_in_an_empty_run_folder(tmp_path) -> None:
    """train_pretrained.py --resume-from never resumes (or overwrites) the run already there."""
    script = ROOT / "docs" / "scripts" / "train_pretrained.py"
    command = [sys.executable, str(script), "--data-root", str(tmp_path), "--resume-from", "x.pt"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "needs exactly one --only" in result.stderr
    both = [*command, "--only", "dcgan_mnist", "--seed", "1"]
    result = subprocess.run(both, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "replicates (--seed) start fresh" in result.stderr
    out_dir = tmp_path / "run"
    (out_dir / "checkpoints").mkdir(parents=True)
    (out_dir / "checkpoints" / "last.pt").write_bytes(b"the run already here")
    train_recipe = _script("train_pretrained").train_recipe
    with pytest.raises(SystemExit, match="already holds a run; move it aside"):
        train_recipe("dcgan_mnist", str(tmp_path), [], out_dir, resume_from=tmp_path / "x.pt")
    assert (out_dir / "checkpoints" / "last.pt").read_bytes() == b"the run already here"


def _pretrained_tags() -> set[str]:
    import json

    return set(json.loads((ROOT / "ganzoo" / "pretrained.json").read_text()))


def _script(name: str):
    import importlib.util

    path = ROOT / "docs" / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_run_with_health_alerts_at_its_published_step_is_not_published(tmp_path) -> None:
    """train_pretrained.py reads the health column at the step it would publish: a collapsed
    last step blocks it, a healthy best step before the collapse does not."""
    import json

    rows = [
        {"step": 500, "g_loss": 1.0, "health": []},
        {"step": 1000, "g_loss": 1.0, "health": []},
        {"step": 1500, "g_loss": 1.0, "health": ["mode_collapse"]},
        {"step": 2000, "g_loss": 1.0, "health": ["mode_collapse"]},
    ]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    alerts_at = _script("train_pretrained").alerts_at
    assert alerts_at(tmp_path, 2000) == ["mode_collapse"]
    assert alerts_at(tmp_path, 1200) == []  # a best.pt from step 1000
    assert alerts_at(tmp_path, 100) == []


def test_a_step_whose_samples_miss_most_classes_is_not_published(tmp_path) -> None:
    """The monitor alerts only when class coverage falls; the publishing gate also refuses a
    step whose samples never reached enough classes (sagan on Fashion-MNIST: 4 of 10)."""
    import json

    rows = [
        {"step": 1000, "g_loss": 1.0, "health": [], "classes_covered": 4},
        {"step": 1025, "g_loss": 1.0, "health": []},
        {"step": 2000, "g_loss": 1.0, "health": [], "classes_covered": 9},
    ]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    script = _script("train_pretrained")
    need = script.fewest_classes("fashion-mnist")
    assert need == 6
    assert script.alerts_at(tmp_path, 1025, need) == ["classes_covered 4"]
    assert script.alerts_at(tmp_path, 2000, need) == []
    assert script.alerts_at(tmp_path, 1025, script.fewest_classes("edges2mnist")) == []


def test_scale_table_is_made_from_the_committed_estimates() -> None:
    import json

    script = _script("scale_estimates")
    record = json.loads((ROOT / "docs" / "zoo" / "scale_estimates.json").read_text())
    assert [row["recipe"] for row in record["rows"]] == list(script.RECIPES)
    for row in record["rows"]:
        assert (ROOT / "zoo_configs" / f"{row['recipe']}.yaml").is_file()
        hours = row["total_flops"] / (312e12 * record["assumed_mfu"]) / 3600
        assert abs(row["gpu_hours"]["A100 SXM"] - hours) <= 1e-9 * hours
        assert row["total_flops"] == row["flops_per_step"] * row["steps"]
    assert script.table(record) in (ROOT / "docs" / "zoo_scale.md").read_text()


def test_lazy_regularizers_set_the_counting_period() -> None:
    import ganzoo

    script = _script("scale_estimates")
    stylegan = ganzoo.create("stylegan", width=8, max_width=16, w_dim=16, pl_weight=2.0)
    assert script.lazy_period(stylegan.objective, 1) == 16  # R1 every 16 D steps, PL every 4
    assert script.lazy_period(ganzoo.create("sngan", width=8).objective, 5) == 1
    wgan_gp = ganzoo.create("wgan-gp", width=8, regularizers=[{"name": "r1", "every": 4}])
    assert script.lazy_period(wgan_gp.objective, 2) == 2  # every 4 D updates = 2 steps of 2


def test_inception_sensitivity_variants_change_only_what_they_name() -> None:
    """The stroke and background variants behind docs/zoo.md's diagnosis of MNIST Inception FID."""
    import torch

    script = _script("inception_sensitivity")
    pixels = torch.zeros(64, 1, 28, 28, dtype=torch.uint8)
    pixels[:, :, 10:18, 12:16] = 255
    ink = pixels > 0
    speckled = script.speckle(pixels)
    assert torch.equal(speckled[ink], pixels[ink])
    changed = speckled[~ink]
    assert 0.06 < (changed > 0).float().mean() < 0.10
    assert changed.max() <= script.DARK
    blurred = script.blur(pixels)
    assert blurred.dtype == torch.uint8
    assert ((blurred > 0) & (blurred < 255)).any()  # soft edges appear
    assert abs(blurred.float().sum() - pixels.float().sum()) / pixels.float().sum() < 0.01
    assert torch.equal(script.clean(speckled), pixels)
    assert torch.equal(script.background_plus_2(pixels)[~ink].unique(), torch.tensor([2]))


def test_pixel_statistics_bands_cover_every_grey_level_once() -> None:
    import torch

    script = _script("pixel_statistics")
    pixels = torch.arange(256, dtype=torch.uint8)
    fractions = script.grey_levels(pixels)
    assert fractions == {
        "black": round(1 / 256, 4),
        "faint": round(10 / 256, 4),
        "mid": round(234 / 256, 4),
        "saturated": round(11 / 256, 4),
    }
    assert torch.equal(
        script.as_pixels(torch.tensor([-1.0, 0.0, 1.0])),
        torch.tensor([0, 128, 255], dtype=torch.uint8),
    )


def test_readme_opening_names_every_model() -> None:
    """The README's first paragraph, which lists the registry's names, misses none of them."""
    import ganzoo

    opening = (ROOT / "README.md").read_text().split("<!-- zoo-hero:begin -->")[0]
    missing = [name for name in ganzoo.list_models() if f"`{name}`" not in opening]
    assert not missing, f"README's opening does not name {missing}"


def test_translator_results_get_their_own_table_after_the_datasets() -> None:
    """A translator's result (its dataset is a task) sorts after the noise models and is set
    in the translation table with its target domain, never in a dataset's table."""
    zoo_table = _script("zoo_table")
    metrics = {"fid": 30.0, "kid": 0.01, "precision": 0.5, "recall": 0.4}
    translator = {
        "tag": "pix2pix.edges2mnist",
        "model": "pix2pix",
        "dataset": "edges2mnist",
        "target": "mnist",
        "inception": metrics,
        "classifier": {"fid": 2.0, "classes_covered": 10},
        "training": {"steps": 1000, "training time": "9.7 min"},
    }
    rows = zoo_table.translation_table([translator])
    assert rows[-2] == (
        "| `pix2pix.edges2mnist` | MNIST | 30.00 | 0.0100 | 0.50 / 0.40 | 10 / 10 | 2.00 "
        "| 1000 | 9.7 min |"
    )
    assert zoo_table.translation_table([]) == []
    anchor = {"ganzoo_family": {}, "best_fid": {}, "targets": {"best_model": {}}}
    page = zoo_table.table([translator], {}, anchor, {"pix2pix.edges2mnist": {}})
    assert page.count("`pix2pix.edges2mnist`") == 1 and "**Translation tasks**" in page
