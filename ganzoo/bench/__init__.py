"""The benchmark harness shared by ``ganzoo bench`` and ``benchmarks/``.

``benchmark_model`` measures one model through the real Trainer (steps/s, images/s, sampling
images/s, FLOPs per step, achieved FLOP/s against the device's matmul peak measured in the same
run, peak memory), optionally beside the classic PyTorch DCGAN loop; ``run_suite`` sweeps models,
batch sizes and image sizes; :mod:`ganzoo.bench.report` renders tables, JSON and plots.
"""

from .environment import environment
from .flops import count_flops
from .harness import BenchTrainer, benchmark_model, resolve_models, run_suite
from .memory import LiveTensorBytes
from .peak import Matmul, MatmulPeak, matmul_peak_flops, measure_matmul_peak
from .reference import ClassicDCGAN
from .report import format_table, load_results, plot_results, save_results
from .result import BenchResult
from .timing import synchronize, time_rounds

__all__ = [
    "BenchResult",
    "BenchTrainer",
    "ClassicDCGAN",
    "LiveTensorBytes",
    "Matmul",
    "MatmulPeak",
    "benchmark_model",
    "count_flops",
    "environment",
    "format_table",
    "load_results",
    "matmul_peak_flops",
    "measure_matmul_peak",
    "plot_results",
    "resolve_models",
    "run_suite",
    "save_results",
    "synchronize",
    "time_rounds",
]
