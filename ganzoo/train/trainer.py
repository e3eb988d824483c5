"""The one Trainer: trains any :class:`~ganzoo.GAN` through its objective and recipe."""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import Tensor
from torch.utils.data import Dataset
from tqdm.auto import tqdm

from ..config import to_dict
from ..data import BatchStream
from ..errors import CheckpointError, TrainingDiverged
from ..gan import GANBase
from ..objectives.diffaugment import DiffAugment
from ..objectives.regularizers import loss_scaling
from ..utils.files import atomic_write, remove_stale_temporaries, remove_temporaries_in
from ..utils.hardware import device_name
from ..utils.images import save_gif, save_grid
from ..utils.sharding import batch_shard, per_sample
from ..utils.threads import thread_note
from .checkpoint import (
    load_checkpoint,
    load_gan_state,
    save_checkpoint,
)
from .config import TrainConfig
from .distributed import Distributed, launched_distributed, synchronize_batchnorm
from .finite import first_nonfinite
from .health import Alert, HealthMonitor, grad_norm
from .kept_checkpoints import check_branch, keep_copy, seed_log
from .lock import RunLock
from .log import MetricsLog
from .log_window import restore_window, window_state
from .periodic_fid import BestFID, PeriodicFID, metric_name, reference_dataset
from .resume_changes import apply_changes, check_changes, reconcile_ema
from .sample_features import SampleFeatures
from .speed import autocast_context, prepare_for_speed, speed_note
from .trackers import Trackers, open_trackers, tracker_names

logger = logging.getLogger("ganzoo")


@dataclass
class TrainResult:
    """What :meth:`Trainer.fit` did."""

    step: int
    out_dir: Path
    checkpoint: Path | None
    interrupted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    stopped_by: Alert | None = None  # the health alert that stopped the run, if any
    best_fid: float | None = None  # the lowest periodic FID (fid_every), kept in best.pt
    best_step: int | None = None  # the step that reached it


def _default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _rank_device(device: torch.device) -> torch.device:
    """In a multi-process launch each rank drives the GPU of its ``LOCAL_RANK``."""
    if device.type == "cuda" and device.index is None and launched_distributed():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    return device


class Trainer:
    """Trains a GAN for ``steps`` generator updates, each after ``n_critic`` discriminator updates.

    Writes to ``out_dir``: ``checkpoints/last.pt`` (atomically), ``samples/step_*.png`` grids
    from fixed noise, ``progress.gif``, ``samples.png`` and ``metrics.jsonl`` / ``metrics.csv``.
    ``config.fid_every`` adds a periodic classifier-feature FID to the log and keeps
    ``checkpoints/best.pt`` at its lowest (see :mod:`ganzoo.train.periodic_fid`);
    ``config.diffaugment`` augments everything the discriminator sees (DiffAugment).
    ``resume=True`` continues from ``checkpoints/last.pt`` exactly where a run stopped;
    ``resume_from`` starts a new run in an empty ``out_dir`` from another run's checkpoint (one
    that ``config.keep_every`` kept, say) with this config's steps, its log seeded with the
    source run's rows up to that step.
    ``config`` (a :class:`~ganzoo.train.TrainConfig`) says how to train; keyword ``settings``
    change single fields of it (``Trainer(gan, data, steps=500)``); unset steps and batch size
    come from ``gan.recipe``. ``run_config`` (e.g. a CLI run's config) is saved as ``run.yaml``.
    ``config.tracker`` names experiment trackers (``"tensorboard"``, ``"wandb"`` offline,
    ``"csv"``; see :mod:`ganzoo.train.trackers`).

    Launched by ``torchrun`` (``WORLD_SIZE`` > 1), it trains data-parallel: ``batch_size`` is
    the global batch, each rank computes its slice, gradients are averaged, batch norm uses
    global-batch statistics, and only rank 0 writes to ``out_dir``
    (see :mod:`ganzoo.train.distributed`).
    """

    def __init__(
        self,
        gan: GANBase,
        data: Dataset,
        out_dir: str | os.PathLike[str] = "runs/ganzoo",
        config: TrainConfig | None = None,
        *,
        resume: bool = False,
        resume_from: str | os.PathLike[str] | None = None,
        run_config: dict[str, Any] | None = None,
        **settings: Any,
    ) -> None:
        config = (config or TrainConfig()).updated(**settings)  # checked as it is made
        self.config = config
        self.gan = gan
        self.data = data
        self.out_dir = Path(out_dir)
        self.steps = config.steps or gan.recipe.steps
        self.batch_size = config.batch_size or gan.recipe.batch_size
        self.n_critic = gan.recipe.n_critic
        self.seed = config.seed
        self.device = _rank_device(
            torch.device(config.device) if config.device is not None else _default_device()
        )
        self.log_every = max(1, min(config.log_every, self.steps))
        self.sample_every = config.sample_every or max(1, math.ceil(self.steps / 12))
        self.checkpoint_every = config.checkpoint_every or max(1, min(500, self.steps))
        self.num_samples = config.num_samples
        self.num_workers = config.num_workers
        self.resume = resume
        self.resume_from = resume_from
        self.keep_every = config.keep_every
        self.progress = config.progress
        self.gif = config.gif
        self.run_config = run_config
        self.health = HealthMonitor(
            config.health, gan.objective.chance_loss, loss=gan.objective.loss.name
        )
        self.speed = config.speed
        self.speed_note = ""  # the switches in effect, in words (set up by setup)
        self.tensorboard = config.tensorboard
        self.tracker_names = tracker_names(config.tracker, config.tensorboard)  # checked first
        self._new_alerts: list[Alert] = []
        self._resumed_window: dict[str, Any] | None = None
        self.step = 0
        self.d_step = 0
        self.train_seconds = 0.0  # over all sessions of this run, resumed ones included
        self._hardware: list[str] = []  # of earlier sessions that trained steps
        # {"step", "changes"} of each changed resume; a branch's also has "branched": True
        self.resumes: list[dict[str, Any]] = []
        self._trained_here = False  # whether this session trained a step
        self._fit_started = time.perf_counter()
        gan.check_data(data)
        self._stop_requested = False
        self.dist = Distributed()  # joined in setup
        # Refused here, before anything runs: data without a shipped classifier, translators.
        self.fid_every = config.fid_every
        self.fid_dataset = reference_dataset(gan, data) if config.fid_every else None
        self.fid_metric = metric_name(config.fid_features)
        self.best_fid = BestFID(metric=self.fid_metric)
        self.periodic_fid: PeriodicFID | None = None  # made by rank 0 in setup
        self.augment = DiffAugment(config.diffaugment)
        gan.objective.use_augmentation(self.augment or None)
        # Checking costs a host sync: free on the CPU, so done every step there.
        self._check_every_step = self.device.type == "cpu"

    # ----------------------------------------------------------------------------- setup
    def setup(self) -> None:
        """Prepare a run: device, process group, optimizers, data stream, resume state.

        :meth:`fit` calls it; call it yourself only to drive :meth:`train_step` directly
        (as the benchmark harness does).
        """
        self.gan.to(self.device).train()
        self.dist = Distributed.from_environment(self.device)
        if self.dist.enabled:
            synchronize_batchnorm(self.gan.generator, self.device)
            synchronize_batchnorm(self.gan.discriminator, self.device)
            self._check_every_step = False  # checks need the ranks' reduced losses
        recipe = self.gan.recipe
        requested = self.speed.precision
        self.speed = prepare_for_speed(self.gan, self.speed, self.device)
        self.speed_note = speed_note(self.speed, requested, self.device)
        fused = self.speed.fused_optimizers
        self.g_optimizer = recipe.g_optimizer.build(self.gan.generator.parameters(), fused=fused)
        self.d_optimizer = recipe.d_optimizer.build(
            self.gan.discriminator.parameters(), fused=fused
        )
        self.lr_scheduler = recipe.lr_schedule.build(
            [self.g_optimizer, self.d_optimizer], self.steps, self.log_every
        )
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.speed.precision == "fp16")
        self.stream = BatchStream(
            self.data,
            self.batch_size,
            self.seed,
            self.device,
            self.num_workers,
            device_resident=self.speed.data_on_device,
            with_labels=bool(self.gan.num_classes),
            rank=self.dist.rank,
            world_size=self.dist.world_size,
        )
        self.preview_inputs = self.gan.preview_inputs(self.data, self.num_samples, self.seed)
        self._health_signals: dict[str, float] = {}
        self.tracker = Trackers()
        self.checkpoint_path = self.out_dir / "checkpoints" / "last.pt"
        self.best_path = self.out_dir / "checkpoints" / "best.pt"
        if self.dist.is_main:  # before seeding: the reference draw must not shift the RNG
            self.sample_features = SampleFeatures(self.gan, self.data)
            self.health.set_real_reference(self.sample_features.real_reference(self.num_samples))
        # Rank 0 reads the folder and decides; every rank gets its decision and state.
        outcome = self._read_resume_state() if self.dist.is_main else None
        with self.dist.guard("the start of training"):
            outcome = self.dist.broadcast_object(outcome)
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is not None:
            self._load_state(outcome)
        else:
            torch.manual_seed(self.seed)
        with self.dist.guard("the start of training"):
            self.dist.broadcast_module(self.gan)
        if not self.dist.is_main:
            return
        threads = f"; {thread_note()}" if self.device.type == "cpu" else ""  # once it will run
        logger.info("%s on %s: %s%s", self.gan.name, self.device, self.speed_note, threads)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.log = MetricsLog(
            self.out_dir, [self.fid_metric, "fid_samples"] if self.fid_every else []
        )
        self.log.truncate_after(self.step)  # rows of a crashed attempt past the checkpoint
        remove_stale_temporaries(self.checkpoint_path)
        remove_temporaries_in(self.out_dir, self.out_dir / "samples")  # grids, run.yaml, GIF
        self.tracker = open_trackers(self.tracker_names, self.out_dir, self.run_config, self.step)
        # Written only now: a refused run must not touch the folder's record.
        if self.run_config is not None:  # atomically: a kill mid-write must not tear the record
            record = f"# speed used: {self.speed_note}\n" + yaml.safe_dump(
                self.run_config, sort_keys=False
            )
            atomic_write(self.out_dir / "run.yaml", lambda tmp: Path(tmp).write_text(record))

    def _read_resume_state(self) -> dict[str, Any] | BaseException | None:
        """The checkpoint to resume from, None for a new run, or the error refusing the run."""
        try:
            self._prepare_fid()  # a missing reference is refused before training
            self._run_lock = RunLock.acquire(self.out_dir)  # one writer per run folder
            try:
                return self._resume_state()
            except BaseException:
                self._run_lock.release()  # a refused run leaves no pid behind in the lock
                raise
        except Exception as err:
            if not self.dist.enabled:
                raise
            return err

    def _resume_state(self) -> dict[str, Any] | None:
        """The state this run starts from (``resume``, ``resume_from``), or None for a new run."""
        if self.resume and self.checkpoint_path.exists():  # a branch, too, once it saved
            return self._checked_state(self.checkpoint_path)
        if self.resume_from is not None:
            source = check_branch(self.resume_from, self.out_dir)
            state = self._checked_state(source)
            state["branched"] = True  # the run's record says its first steps were another run's
            seed_log(source, self.out_dir, state["step"])
            return state
        if self.resume:
            logger.warning("No checkpoint in %s; starting a new run.", self.out_dir)
        elif self.checkpoint_path.exists():
            raise CheckpointError(
                f"{self.out_dir} already holds a run (checkpoints/last.pt). Resume it with "
                "resume=True (--resume), or choose another output folder."
            )
        return None

    def _checked_state(self, path: Path) -> dict[str, Any]:
        """The training state in checkpoint ``path``, with what this run changes of it."""
        state = load_checkpoint(path, map_location="cpu")
        recipe = to_dict(self.gan.recipe)
        sizes = {"steps": self.steps, "batch_size": self.batch_size, "seed": self.seed}
        state["resume_changes"] = check_changes(state, recipe, **sizes)
        return state

    def _prepare_fid(self) -> None:
        """Rank 0 with ``fid_every``: the periodic FID and its reference statistics."""
        if self.fid_dataset is None:
            return
        self.periodic_fid = PeriodicFID(
            self.fid_dataset,
            self.config.fid_samples,
            self.seed,
            self.device,
            self.config.fid_data_root,
            self.config.fid_features,
            self.config.fid_reference,
        )
        self.periodic_fid.prepare()

    # ------------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue training exactly: weights, optimizers, RNG, data order."""
        rng = {"cpu": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        return {
            "step": self.step,
            "d_step": self.d_step,
            "config": self.gan.model_config,
            "gan": self.gan.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            "lr_schedule": self.lr_scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "health": self.health.state_dict(),
            "log_window": window_state(*getattr(self, "_log_window", ({}, {}))),
            "rng": rng,
            "data": self.stream.state_dict(),
            "trainer": {
                "steps": self.steps,
                "batch_size": self.batch_size,
                "seed": self.seed,
                "train_seconds": self.train_seconds + time.perf_counter() - self._fit_started,
                "hardware": self._hardware_record(),
                "world_size": self.dist.world_size,
                "speed": {**asdict(self.speed), "note": self.speed_note},
                "best_fid": self.best_fid.state_dict(),
                "diffaugment": self.augment.policy,
                "resumes": self.resumes,
            },
        }

    def _hardware_record(self) -> str:
        """The hardware of every session that trained steps, this one included if it did (a
        resumed run that was already finished keeps its record)."""
        here = device_name(self.device)
        sessions = [*self._hardware, *([here] if self._trained_here else [])]
        return "; ".join(dict.fromkeys(sessions)) or here

    def _load_state(self, state: dict[str, Any]) -> None:
        reconcile_ema(self.gan, state, report=self.dist.is_main)
        load_gan_state(self.gan, state)
        self.g_optimizer.load_state_dict(state["g_optimizer"])
        self.d_optimizer.load_state_dict(state["d_optimizer"])
        self.lr_scheduler.load_state_dict(state.get("lr_schedule"), state["step"])
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        if state.get("health"):
            self.health.load_state_dict(state["health"])
        self.stream.load_state_dict(state["data"])
        torch.set_rng_state(state["rng"]["cpu"].cpu())
        if "cuda" in state["rng"] and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["rng"]["cuda"].cpu(), self.device)
        self.step, self.d_step = state["step"], state["d_step"]
        self._resumed_window = state.get("log_window")
        self.train_seconds = float(state.get("trainer", {}).get("train_seconds", 0.0))
        saved = state.get("trainer", {}).get("hardware")
        self._hardware = saved.split("; ") if saved else []
        saved_best = state.get("trainer", {}).get("best_fid")
        if not self.best_fid.load_state_dict(saved_best) and self.dist.is_main:
            logger.warning(
                "Resuming step %d with periodic FID in %s; the run's best so far was measured "
                "as %s, which does not compare, so best.pt is replaced at the next FID.",
                self.step,
                self.fid_metric,
                saved_best.get("metric"),
            )
        policy = state.get("trainer", {}).get("diffaugment", "")
        changes = dict(state.get("resume_changes") or {})
        if policy != self.augment.policy:
            changes["diffaugment"] = (policy or "off", self.augment.policy or "off")
        self.resumes = [*state.get("trainer", {}).get("resumes", [])]
        if changes or state.get("branched"):
            record = {key: list(pair) for key, pair in changes.items()}
            entry = {"step": self.step, "changes": record}
            self.resumes.append({**entry, "branched": True} if state.get("branched") else entry)
        if self.dist.is_main:
            logger.info("Resumed %s from step %d (%s).", self.gan.name, self.step, state["path"])
        apply_changes(self, changes, report=self.dist.is_main)

    def save(self) -> Path:
        """Write ``checkpoints/last.pt`` atomically (rank 0 only), refusing non-finite weights."""
        self._raise_if_diverged()
        if self.dist.is_main:
            save_checkpoint(self.checkpoint_path, self.state_dict())
        return self.checkpoint_path

    def _measure_fid(self, row: dict[str, Any]) -> float:
        """Rank 0: the periodic FID of the sampling generator, added to the log ``row``."""
        assert self.periodic_fid is not None
        value = self.periodic_fid(self.gan)
        row[self.fid_metric], row["fid_samples"] = value, self.periodic_fid.n
        return value

    def _keep_if_best(self, value: float) -> None:
        """Rank 0: write ``checkpoints/best.pt`` atomically when ``value`` is the run's lowest
        periodic FID (the best value and its step live in the trainer state, so a resumed run
        compares against the true best)."""
        if not self.best_fid.improved_by(value):
            return
        self._raise_if_diverged()
        self.best_fid.value, self.best_fid.step = value, self.step
        save_checkpoint(self.best_path, self.state_dict())

    # ------------------------------------------------------------------------- training
    def train_step(self) -> dict[str, Tensor]:
        """One full step after :meth:`setup`: ``n_critic`` discriminator updates, then one
        generator update. Returns detached losses/logs as device tensors (no host sync)."""
        with batch_shard(self.dist.rank, self.dist.world_size):
            return self._step()

    def _step(self) -> dict[str, Tensor]:
        gan, objective = self.gan, self.gan.objective
        logs: dict[str, Tensor] = {}
        fake = batch = condition = None
        objective.begin_step(self.step, self.steps)
        autocast = autocast_context(self.speed, self.device)
        reuse_fake = self.n_critic == 1  # else the critic's fakes need no graph through G
        for _ in range(self.n_critic):
            batch = self.stream.next()
            batch = batch.replace(real=self.speed.to_memory_format(batch.real))
            condition = gan.condition(batch)
            with autocast():
                with torch.set_grad_enabled(reuse_fake):
                    fake = gan.fake_batch(batch, self._latent)
                with loss_scaling(self._loss_scale()):
                    out = objective.discriminator_loss(
                        gan, batch.real, fake.detach(), condition, step=self.d_step
                    )
            logs["d_grad_norm"] = self._update(out.loss, self.d_optimizer, gan.discriminator)
            objective.after_discriminator_step(gan)
            self.d_step += 1
            logs.update(out.logs)
        gan.discriminator.requires_grad_(False)
        try:
            with autocast():
                if self.n_critic > 1:  # the last fake was made for an older critic: draw afresh
                    fake = gan.fake_batch(batch, self._latent)
                out = objective.generator_loss(gan, fake, condition, batch.real, step=self.step)
            logs["g_grad_norm"] = self._update(out.loss, self.g_optimizer, gan.generator)
        finally:
            gan.discriminator.requires_grad_(True)
        gan.update_ema(self.step + 1)
        logs.update(out.logs)
        return logs

    def _loss_scale(self) -> Tensor | None:
        """The GradScaler's current scale as a device tensor (no host sync); None without fp16."""
        if not self.scaler.is_enabled():
            return None
        return self.scaler.scale(torch.ones((), device=self.device))

    def _latent(self, n: int) -> Tensor:
        """Latent codes for this rank's ``n`` samples: its slice of the global batch's codes."""
        return per_sample(lambda shape: self.gan.sample_latent(shape[0]), (n,))

    def _update(
        self, loss: Tensor, optimizer: torch.optim.Optimizer, network: torch.nn.Module
    ) -> Tensor:
        """Back-propagate ``loss`` (scaled for fp16), average gradients over ranks, step
        ``optimizer``; returns the network's unscaled gradient norm."""
        optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.dist.average_gradients(network.parameters())
        self.scaler.unscale_(optimizer)
        norm = grad_norm(network.parameters())
        self.scaler.step(optimizer)
        self.scaler.update()
        return norm

    def _raise_if_nonfinite(self, totals: dict[str, Tensor]) -> None:
        """Stop on a NaN/Inf loss (sums since the last log keep any NaN, so one check covers them)."""
        if not bool(torch.stack([v.float() for v in totals.values()]).isfinite().all()):
            values = ", ".join(f"{k}={v.item():.4g}" for k, v in totals.items() if not v.isfinite())
            raise TrainingDiverged(self._diverged_message(f"a loss became NaN/Inf ({values})"))

    def _raise_if_diverged(self) -> None:
        optimizers = {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}
        bad = first_nonfinite(self.gan, optimizers)
        if bad:
            raise TrainingDiverged(
                self._diverged_message(f"the training state became non-finite ({bad}, ...)")
            )

    def _diverged_message(self, what: str) -> str:
        kept = (
            f"{self.checkpoint_path} is the last good checkpoint"
            if self.checkpoint_path.exists()
            else "no checkpoint had been written yet"
        )
        return (
            f"Training of {self.gan.name} diverged at step {self.step}: {what}. Training stopped; "
            f"{kept}. Lower the learning rates, add a gradient penalty, or resume from it with changes."
        )

    def _render_samples(self) -> Path:
        preview = self.gan.preview(self.preview_inputs)
        images, nrow = preview.grid, preview.nrow
        features, classes = self.sample_features(preview.samples.float())
        alerts, signals = self.health.observe_samples(
            self.step, features, classes, self.sample_features.num_classes
        )
        self._health_signals.update(signals)
        self._new_alerts += alerts
        path = save_grid(images, self.out_dir / "samples" / f"step_{self.step:07d}.png", nrow=nrow)
        if self.tracker:
            from torchvision.utils import make_grid

            grid = make_grid(
                images[:64].float().clamp(-1, 1).cpu(),
                nrow=nrow or 8,
                normalize=True,
                value_range=(-1, 1),
            )
            self.tracker.log_image(self.step, "samples", grid)
        return path

    def fit(self) -> TrainResult:
        """Train until ``steps``; returns early (after saving) on Ctrl-C or SIGTERM."""
        self.setup()
        self._fit_started = time.perf_counter()
        main = self.dist.is_main
        history: list[dict[str, Any]] = []
        # the window of the next row (restored on resume: a row averages the same steps)
        totals, counts = restore_window(self._resumed_window, self.device)
        count, started = 0, time.perf_counter()
        bar = tqdm(
            total=self.steps,
            initial=self.step,
            disable=not (self.progress and main),
            unit="step",
            desc=f"{self.gan.name}",
            dynamic_ncols=True,
        )
        interrupted = False
        stopped_by: Alert | None = None
        self._new_alerts = []
        earlier_alerts = len(self.health.alerts)  # from before a resume: they stopped that run
        with bar, self._graceful_interrupts(), self.dist.guard("training"):
            while self.step < self.steps:
                logs = self.train_step()
                self._trained_here = True
                self.step += 1
                self.lr_scheduler.after_step()
                count += 1
                for key, value in logs.items():  # lazy terms are averaged over the steps
                    totals[key] = totals.get(key, 0) + value  # that computed them
                    counts[key] = counts.get(key, 0) + 1
                fid_now = bool(self.fid_every) and (
                    self.step % self.fid_every == 0 or self.step == self.steps
                )
                log_now = self.step % self.log_every == 0 or self.step == self.steps or fid_now
                keep_now = bool(self.keep_every) and self.step % self.keep_every == 0
                save_now = (
                    self.step % self.checkpoint_every == 0 or self.step == self.steps or keep_now
                )
                if self._check_every_step or log_now or save_now:
                    totals = self.dist.average(totals)  # every rank then decides alike
                    self._raise_if_nonfinite(totals)
                bar.update(1)
                if log_now:
                    elapsed = time.perf_counter() - started
                    row = {
                        "step": self.step,
                        **{k: (v / counts[k]).item() for k, v in totals.items()},
                        "images_per_s": count
                        * self.batch_size
                        * self.n_critic
                        / max(elapsed, 1e-9),
                    }
                    self.lr_scheduler.after_log(row)  # the same row on every rank
                    if not self.gan.recipe.lr_schedule.is_constant:
                        row.update(self.lr_scheduler.learning_rates())  # the rates from here on
                    fid = self._measure_fid(row) if main and fid_now else None
                    if main:
                        self._observe(bar, row)
                    history.append(row)
                    totals, counts, count, started = {}, {}, 0, time.perf_counter()
                self._log_window = (totals, counts)  # for checkpoints (copied only when saved)
                if main and fid_now:
                    self._keep_if_best(fid)
                if main and (self.step % self.sample_every == 0 or self.step == self.steps):
                    self._render_samples()
                new_alerts = self.health.alerts[earlier_alerts:]
                stopped_by = self.health.should_stop(new_alerts) if main else None
                if self.dist.any(self._stop_requested or stopped_by is not None):
                    interrupted = True
                    break
                if save_now:
                    self.dist.check_in_sync(self.gan, self.step)
                    self.save()
                    if main and keep_now:
                        keep_copy(self.checkpoint_path, self.step)
            checkpoint = self.save()
        self.tracker.close()
        if main:
            self._report_end(checkpoint, interrupted, stopped_by)
            self._run_lock.release()
        self.dist.close()
        return TrainResult(
            self.step,
            self.out_dir,
            checkpoint,
            interrupted,
            history,
            self.health.alerts,
            stopped_by,
            self.best_fid.value,
            self.best_fid.step,
        )

    def _report_end(self, checkpoint: Path, interrupted: bool, stopped_by: Alert | None) -> None:
        """Rank 0: say why training ended; after a complete run, write samples.png and the GIF."""
        if stopped_by:
            logger.error(
                "Stopped at step %d by the health monitor (%s): %s Saved %s.",
                self.step,
                stopped_by.detector,
                stopped_by.message,
                checkpoint,
            )
        elif interrupted:
            logger.warning(
                "Interrupted at step %d; saved %s. Resume with resume=True / --resume.",
                self.step,
                checkpoint,
            )
        else:
            self._finish()
        if self.best_fid.step is not None:
            logger.info(
                "Best periodic FID (%s): %.3f at step %d, kept in %s.",
                self.periodic_fid.description if self.periodic_fid else self.fid_metric,
                self.best_fid.value,
                self.best_fid.step,
                self.best_path,
            )

    def _observe(self, bar: tqdm, row: dict[str, Any]) -> None:
        """Rank 0: health signals for a log row, then log file, progress bar and TensorBoard."""
        row.update(self._health_signals)
        self._new_alerts += self.health.observe(row)
        row["health"] = sorted(self.health.active)
        self.log.write(row)
        self._report(bar, row)

    def _report(self, bar: tqdm, row: dict[str, Any]) -> None:
        """Progress bar, Python log and TensorBoard for one log row and its new health alerts."""
        postfix = {"d_loss": f"{row.get('d_loss', 0):.3f}", "g_loss": f"{row.get('g_loss', 0):.3f}"}
        if self.fid_metric in row:
            postfix["fid"] = f"{row[self.fid_metric]:.2f}"
        if row["health"]:
            postfix["health"] = ",".join(row["health"])
        bar.set_postfix(postfix)
        for alert in self._new_alerts:
            logger.warning("Health (%s) at step %d: %s", alert.detector, alert.step, alert.message)
        if self.tracker:
            scalars = {k: v for k, v in row.items() if isinstance(v, (int, float)) and k != "step"}
            self.tracker.log_scalars(self.step, scalars)
            for alert in self._new_alerts:
                self.tracker.log_text(alert.step, f"health/{alert.detector}", alert.message)
        self._new_alerts = []

    def _finish(self) -> None:
        frames = sorted((self.out_dir / "samples").glob("step_*.png"))
        if frames:
            final = frames[-1].read_bytes()
            (self.out_dir / "samples.png").write_bytes(final)
            if self.gif:
                save_gif(frames, self.out_dir / "progress.gif")

    @contextmanager
    def _graceful_interrupts(self) -> Iterator[None]:
        """First Ctrl-C / SIGTERM: finish the step, save, stop. A second Ctrl-C aborts."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def request_stop(signum: int, frame: Any) -> None:
            if self._stop_requested and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self._stop_requested = True
            logger.warning(
                "Stopping after this step and saving a checkpoint (Ctrl-C again to abort)."
            )

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
