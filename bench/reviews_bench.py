"""bench/reviews.py as a module, for the benches that reuse its store and rows (classify.py, reviews_cpu.py).
Imported by name it would be the reviews app, so it is loaded by path."""

import importlib.util
from pathlib import Path


def load_reviews_bench():
    spec = importlib.util.spec_from_file_location("bench_reviews", Path(__file__).with_name("reviews.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
