"""An endless, seeded, resumable stream of training batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from ..errors import DataError
from .batch import Batch
from .images import TensorImages, to_unit_range
from .pairs import ImagePairs


class BatchStream:
    """Yields :class:`~ganzoo.data.Batch` es forever; each epoch is a seeded permutation.

    Labels are None when the dataset has none or ``with_labels`` is False. For
    :class:`~ganzoo.data.ImagePairs` each batch carries the source images in [-1, 1] as
    ``source`` (unpaired data: drawn from the sources' own seeded shuffle of each epoch). With
    ``world_size`` > 1, ``batch_size`` is the global batch and this rank gets its slice
    ``rank``; all ranks together see exactly the batches of a single process.
    The position (epoch, batch within epoch) is part of :meth:`state_dict`, so a resumed run
    sees exactly the batches an uninterrupted run would. In-memory datasets are indexed
    directly (optionally kept on the training device); others go through a DataLoader.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        seed: int = 0,
        device: torch.device | str = "cpu",
        num_workers: int = 0,
        device_resident: bool = True,
        with_labels: bool = True,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.seed = seed
        self.device = torch.device(device)
        self.num_workers = num_workers
        self.with_labels = with_labels
        self.size = len(dataset)  # type: ignore[arg-type]
        if batch_size % world_size:
            raise DataError(
                f"The batch size {batch_size} is the global batch over {world_size} ranks and must "
                f"be divisible by it; use e.g. {batch_size - batch_size % world_size or world_size}."
            )
        self.rank, self.world_size = rank, world_size
        self.local_batch = batch_size // world_size
        if self.size < batch_size:
            raise DataError(
                f"The dataset has {self.size} images, fewer than one batch of {batch_size}; "
                "lower the batch size or add data."
            )
        self.batches_per_epoch = self.size // batch_size
        self.epoch = 0
        self.position = 0
        self._images: Tensor | None = None
        self._labels: Tensor | None = None
        self._sources: Tensor | None = None
        self._paired = True
        if isinstance(dataset, ImagePairs):
            target = self.device if device_resident else torch.device("cpu")
            self._images = dataset.targets.to(target)
            self._sources = dataset.sources.to(target)
            self._paired = dataset.paired
        elif isinstance(dataset, TensorImages):
            target = self.device if device_resident else torch.device("cpu")
            self._images = dataset.images.to(target)
            if with_labels and dataset.labels is not None:
                self._labels = dataset.labels.to(target)
        self._iterator: Iterator[Any] | None = None
        self._perm: Tensor | None = None
        self._source_perm: Tensor | None = None
        self._perm_epoch = -1

    def _permutation(self) -> Tensor:
        rng = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        return torch.randperm(self.size, generator=rng)

    def _source_permutation(self) -> Tensor:
        """Unpaired sources: for each target position, a source from its own shuffle."""
        assert self._sources is not None
        count = len(self._sources)
        rng = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch + 500_000_017)
        order = torch.cat(
            [torch.randperm(count, generator=rng) for _ in range(-(-self.size // count))]
        )
        return order[: self.size]

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position, "seed": self.seed}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch, self.position, self.seed = state["epoch"], state["position"], state["seed"]
        self._iterator = None

    def _advance(self) -> None:
        self.position += 1
        if self.position >= self.batches_per_epoch:
            self.epoch, self.position = self.epoch + 1, 0
            self._iterator = None

    def _shard(self, indices: Tensor) -> Tensor:
        """This rank's slice of each global batch in ``indices`` (a whole number of batches)."""
        if self.world_size == 1:
            return indices
        lo = self.rank * self.local_batch
        return indices.view(-1, self.batch_size)[:, lo : lo + self.local_batch].reshape(-1)

    def _loader_batches(self) -> Iterator[Any]:
        start, stop = self.position * self.batch_size, self.batches_per_epoch * self.batch_size
        order = self._shard(self._permutation()[start:stop]).tolist()
        loader = DataLoader(
            self.dataset,
            batch_size=self.local_batch,
            sampler=order,
            drop_last=True,
            num_workers=self.num_workers,
            pin_memory=self.device.type == "cuda",
        )
        return iter(loader)

    def next(self) -> Batch:
        """The next :class:`Batch`: float images in [-1, 1] on the device, with their labels
        (labelled data, ``with_labels``) or their source images (image-to-image data)."""
        if self._images is not None:
            if self._perm is None or self._perm_epoch != self.epoch:
                self._perm, self._perm_epoch = (
                    self._permutation().to(self._images.device),
                    self.epoch,
                )
                if self._sources is not None and not self._paired:
                    self._source_perm = self._source_permutation().to(self._images.device)
            window = slice(self.position * self.batch_size, (self.position + 1) * self.batch_size)
            index = self._shard(self._perm[window])
            images = to_unit_range(self._images[index].to(self.device, non_blocking=True))
            labels = None if self._labels is None else self._labels[index].to(self.device)
            if self._sources is not None:
                source_index = index if self._paired else self._shard(self._source_perm[window])
                source = to_unit_range(self._sources[source_index].to(self.device))
                self._advance()
                return Batch(images, source=source)
        else:
            if self._iterator is None:
                self._iterator = self._loader_batches()
            batch = next(self._iterator)
            images, labels = (batch, None) if torch.is_tensor(batch) else (batch[0], batch[1])
            images = images.to(self.device, non_blocking=True)
            labels = (
                labels.to(self.device) if self.with_labels and torch.is_tensor(labels) else None
            )
        self._advance()
        return Batch(images, labels)
