"""GAN evaluation: FID, KID, IS, precision/recall, density/coverage, class coverage.

``evaluate`` / ``fid`` take a GAN or images and a reference dataset; the functions below them
work on features or class probabilities.

FID and KID compare feature sets (e.g. Inception pool3), precision/recall and density/coverage
compare k-NN manifolds of features, Inception Score and class coverage use classifier outputs.
"""

from ._inputs import MetricError
from .classes import class_coverage, inception_score
from .classifier import (
    CLASSIFIER_CLASSES,
    CLASSIFIER_DATASETS,
    DigitClassifier,
    classifier_dataset,
    classifier_info,
    load_classifier,
)
from .evaluate import METRICS, evaluate, extract, fid, reference_features, translations
from .frechet import (
    FewSamplesWarning,
    SingularCovarianceWarning,
    fid_from_features,
    frechet_distance,
    gaussian_stats,
)
from .kid import kernel_inception_distance
from .manifold import density_coverage, precision_recall
from .neighbours import nearest_neighbours

__all__ = [
    "CLASSIFIER_CLASSES",
    "CLASSIFIER_DATASETS",
    "METRICS",
    "DigitClassifier",
    "FewSamplesWarning",
    "MetricError",
    "SingularCovarianceWarning",
    "class_coverage",
    "classifier_dataset",
    "classifier_info",
    "density_coverage",
    "evaluate",
    "extract",
    "fid",
    "fid_from_features",
    "frechet_distance",
    "gaussian_stats",
    "inception_score",
    "kernel_inception_distance",
    "load_classifier",
    "nearest_neighbours",
    "precision_recall",
    "reference_features",
    "translations",
]
