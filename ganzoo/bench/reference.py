"""The reference: DCGAN trained the way the classic PyTorch DCGAN example does it.

Written after ``pytorch/examples/dcgan/main.py``: a DataLoader over the dataset, fp32, the default
memory format, a sigmoid and ``nn.BCELoss``, two backward passes for the discriminator (real,
then fake), the fake batch reused for the generator, Adam(2e-4, betas=(0.5, 0.999)) and
``.item()`` on the losses and mean outputs every step. The networks are ganzoo's own ``dcgan``
generator and discriminator (fresh instances), so the ratio to ganzoo's step measures the
training loop, not the architecture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, Dataset

from ..factory import create
from .memory import tensors_of


class ClassicDCGAN:
    """One call of :meth:`step` is one iteration of the classic example's inner loop."""

    def __init__(
        self,
        data: Dataset,
        *,
        batch_size: int,
        img_size: int,
        channels: int,
        device: torch.device | str = "cpu",
        workers: int = 0,
        model_args: dict[str, Any] | None = None,
    ) -> None:
        gan = create("dcgan", img_size=img_size, channels=channels, **(model_args or {}))
        self.device = torch.device(device)
        self.nz = gan.latent_dim
        self.netG = gan.generator.to(self.device).train()
        self.netD = gan.discriminator.to(self.device).train()
        self.criterion = nn.BCELoss()
        self.optimizerD = optim.Adam(self.netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
        self.optimizerG = optim.Adam(self.netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
        self.dataloader = DataLoader(
            data, batch_size=batch_size, shuffle=True, num_workers=workers, drop_last=True
        )
        self.images_per_step = batch_size
        self._batches: Iterator[Any] = iter(self.dataloader)

    def _next(self) -> Any:
        try:
            return next(self._batches)
        except StopIteration:  # the example's `for epoch in ...: for data in dataloader:`
            self._batches = iter(self.dataloader)
            return next(self._batches)

    def step(self) -> dict[str, float]:
        """Update D on a real and a fake batch, then G; returns the logged scalars."""
        netD, netG, criterion, device = self.netD, self.netG, self.criterion, self.device
        data = self._next()
        real_label, fake_label = 1.0, 0.0
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real_cpu = data[0].to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)
        output = torch.sigmoid(netD(real_cpu))
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()
        noise = torch.randn(batch_size, self.nz, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = torch.sigmoid(netD(fake.detach()))
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        self.optimizerD.step()
        # (2) Update G network: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(real_label)
        output = torch.sigmoid(netD(fake))
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        self.optimizerG.step()
        return {
            "Loss_D": errD.item(),
            "Loss_G": errG.item(),
            "D(x)": D_x,
            "D(G(z))_1": D_G_z1,
            "D(G(z))_2": D_G_z2,
        }

    def resident_tensors(self) -> list[torch.Tensor]:
        """Weights, gradients, buffers, optimizer state and the in-memory dataset."""
        held = [getattr(self.dataloader.dataset, "images", None)]
        return tensors_of(self.netG, self.netD, self.optimizerD, self.optimizerG, *held)
