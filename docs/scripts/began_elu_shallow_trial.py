"""The BEGAN trial that pointed at the discriminator (docs/models.md, "Demo runs"): the paper's
ELU generator against the shallow autoencoder of ``architecture="dcgan"``, as a plugin model.

    python docs/scripts/began_elu_shallow_trial.py --data-root data [--out runs/began_elu_shallow]

Width 32 for both networks, gamma 1.0, lambda_k 0.001, Adam 2e-4 at batch 64, a constant
learning rate, MNIST, seed 0; 4000 steps (the docs quote its log row at step 2250).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import ganzoo
from ganzoo.models.began import BEGANGenerator, ShallowAutoencoder
from ganzoo.objectives import BEGANObjective, BoundaryEquilibriumLoss
from ganzoo.recipe import OptimizerConfig, Recipe
from ganzoo.run import RunConfig, train
from ganzoo.train import TrainConfig
from ganzoo.zoo import build_gan

NAME = "began-elu-shallow"


@ganzoo.register_model(name=NAME)
def began_elu_shallow(**overrides: Any) -> ganzoo.GAN:
    """The paper's BEGAN generator against the one-layer autoencoder (a trial, not a zoo model)."""
    adam = OptimizerConfig(lr=2e-4, betas=(0.5, 0.999))
    recipe = Recipe(steps=4000, batch_size=64, g_optimizer=adam, d_optimizer=adam)
    return build_gan(
        NAME,
        BEGANGenerator,
        ShallowAutoencoder,
        objective=BoundaryEquilibriumLoss(),
        objective_class=BEGANObjective,
        recipe=recipe,
        overrides=overrides,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--out", default="runs/began_elu_shallow")
    parser.add_argument("--steps", type=int, default=4000)
    args = parser.parse_args()
    config = RunConfig(
        model=NAME,
        model_args={"width": 32, "gamma": 1.0, "lambda_k": 0.001},
        recipe={"steps": args.steps, "batch_size": 64},
        out_dir=args.out,
        train=TrainConfig(sample_every=250),
    )
    config.data.name, config.data.root = "mnist", args.data_root
    train(config, progress=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
