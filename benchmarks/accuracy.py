"""Rating accuracy of mfrec and of Surprise on the standard MovieLens splits, in one run.

Splits: MovieLens 100K's five folds ``u1`` ... ``u5`` (mean and each fold) and the fixed
80/20 split of ML-latest-small in ``ml-latest-small/splits/``. Models: mfrec's
``MatrixFactorization`` with its defaults and the ``BiasBaseline``, and, when
scikit-surprise is installed (``pip install -e '.[bench]'``), Surprise's SVD and
SVD++ with their library defaults. ``--tune-trials N`` adds mfrec tuned on each
training fold by N Optuna trials scored on a 10% validation split of that fold, as
``mfrec tune`` does, so the test fold is never seen. Every model is scored by
:func:`mfrec.evaluation.evaluate`: RMSE and MAE on the test ratings, and NDCG@10 on
top-10 lists over the items each user did not rate in training (relevant: test
rating >= 4, binary gains). Surprise models are scored through their fitted
parameters, so both libraries are measured by the same code.

Usage::

    python benchmarks/accuracy.py [--data ../shared/data] [--no-svdpp] [--tune-trials 50] [--write-docs]

Prints one table per split, writes ``benchmarks/results/accuracy.json`` and, with
``--write-docs``, replaces only the accuracy section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from _report import environment, replace_section
from mfrec import MatrixFactorization, read_ratings
from mfrec.data.idmap import IdMap
from mfrec.evaluation import evaluate
from mfrec.models import BiasBaseline, FactorizationModel
from mfrec.models._base import rated_structure

REPO = Path(__file__).resolve().parents[1]
METRICS = ("rmse", "mae", "ndcg@10")
START, END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
SEED = 42


def load_splits(data: Path) -> dict[str, list[tuple]]:
    """Return ``{split name: [(fold name, train, test), ...]}``."""
    folds = [(f"u{k}", read_ratings(data / "ml-100k" / f"u{k}.base"), read_ratings(data / "ml-100k" / f"u{k}.test")) for k in range(1, 6)]
    small = data / "ml-latest-small" / "splits"
    latest = [("mls-seed42", read_ratings(small / "mls-seed42.train.csv"), read_ratings(small / "mls-seed42.test.csv"))]
    return {"ML-100K u1-u5": folds, "ML-latest-small split": latest}


def models(with_svdpp: bool, tune_trials: int) -> dict:
    """Return ``{label: factory(train) -> fitted model}`` for every library installed."""
    factories = {
        "mfrec MatrixFactorization (defaults)": lambda train: MatrixFactorization().fit(train),
        "mfrec BiasBaseline": lambda train: BiasBaseline().fit(train),
    }
    if tune_trials:
        factories[f"mfrec tuned ({tune_trials} Optuna trials per fold)"] = lambda train: _tuned(train, tune_trials)
    try:
        import surprise
    except ImportError:
        print("scikit-surprise is not installed; running mfrec only", file=sys.stderr)
        return factories
    factories["Surprise SVD"] = lambda train: _surprise_fit(surprise.SVD(random_state=SEED), train)
    if with_svdpp:
        factories["Surprise SVD++"] = lambda train: _surprise_fit(surprise.SVDpp(random_state=SEED), train)
    return factories


class SurpriseScores(FactorizationModel):
    """A fitted Surprise SVD or SVD++ seen through mfrec's factorization attributes.

    SVD++'s implicit term is folded into each user's vector,
    :math:`p_u + |N(u)|^{-1/2} \\sum_{j \\in N(u)} y_j`, so predictions and rankings are
    Surprise's own estimates, clipped to the rating scale as Surprise clips them.
    """

    def __init__(self, algo, trainset):
        self.global_mean_ = float(trainset.global_mean)
        self.user_bias_ = np.asarray(algo.bu, dtype=np.float32)
        self.item_bias_ = np.asarray(algo.bi, dtype=np.float32)
        self.item_factors_ = np.asarray(algo.qi, dtype=np.float32)
        self.user_factors_ = _user_vectors(algo, trainset).astype(np.float32)
        self.users_ = IdMap(pa.array([trainset.to_raw_uid(u) for u in range(trainset.n_users)], type=pa.int64()))
        self.items_ = IdMap(pa.array([trainset.to_raw_iid(i) for i in range(trainset.n_items)], type=pa.int64()))
        self.rating_scale_ = trainset.rating_scale
        users = np.array([u for u, _, _ in trainset.all_ratings()], dtype=np.int32)
        items = np.array([i for _, i, _ in trainset.all_ratings()], dtype=np.int32)
        self.rated_indptr_, self.rated_items_ = rated_structure(users, items, trainset.n_users)


def _user_vectors(algo, trainset) -> np.ndarray:
    vectors = np.array(algo.pu, dtype=np.float64)
    if not hasattr(algo, "yj"):
        return vectors
    for u in range(trainset.n_users):
        rated = [j for j, _ in trainset.ur[u]]
        vectors[u] += np.asarray(algo.yj)[rated].sum(axis=0) / np.sqrt(len(rated))
    return vectors


def _tuned(train, trials: int):
    """Search on a 10% validation split of ``train`` (never the test fold), as mfrec tune does."""
    from mfrec.model_selection import optuna_search

    template = MatrixFactorization(seed=SEED, early_stopping_rounds=10)
    result = optuna_search(template, train, trials=trials, seed=SEED)
    print(f"  best validation RMSE {result.best_score:.4f}: {result.best_params}", flush=True)
    return result.best_model


def _surprise_fit(algo, train):
    import pandas as pd
    import surprise

    frame = pd.DataFrame({
        "user": train.users.ids_at(train.user_index),
        "item": train.items.ids_at(train.item_index),
        "rating": train.rating.astype(float),
    })
    reader = surprise.Reader(rating_scale=train.rating_scale)
    trainset = surprise.Dataset.load_from_df(frame, reader).build_full_trainset()
    algo.fit(trainset)
    return SurpriseScores(algo, trainset)


def run(splits: dict, factories: dict) -> dict:
    """Fit and score every model on every fold; return rows of means and per-fold values."""
    results = {}
    for split_name, folds in splits.items():
        rows = []
        for label, factory in factories.items():
            per_fold = []
            for fold_name, train, test in folds:
                started = time.perf_counter()
                model = factory(train)
                seconds = time.perf_counter() - started
                scores = evaluate(model, test, metrics=METRICS)
                per_fold.append({"fold": fold_name, **{m: scores[m] for m in METRICS}, "fit_seconds": seconds})
                print(f"{split_name:>22} {label:<40} {fold_name:<10} RMSE {scores['rmse']:.4f}  {seconds:.1f} s", flush=True)
            mean = {m: float(np.mean([f[m] for f in per_fold])) for m in (*METRICS, "fit_seconds")}
            rows.append({"model": label, **mean, "folds": per_fold})
        results[split_name] = rows
    return results


def markdown(results: dict, env: dict, command: str) -> str:
    """Return the accuracy section of docs/benchmarks.md."""
    versions = ", ".join(f"{name} {version}" for name, version in env["versions"].items() if version)
    lines = [
        START,
        "## Rating accuracy (`benchmarks/accuracy.py`)",
        "",
        f"Run on {env['date']}: {env['machine']}, Python {env['python']}, {versions}. Command: `{command}`.",
        "",
        "All models are scored by the same code (`mfrec.evaluation.evaluate`). RMSE and MAE are over the test "
        "ratings, with predictions clipped to the rating scale. NDCG@10 ranks, for each test user, the items "
        "they did not rate in training; relevant means a test rating of 4 or more; binary gains. Surprise "
        "models use their library defaults with `random_state=42`. Fit seconds are wall-clock times on a "
        "machine shared with other work; mfrec's include the implicit ranking model that the default "
        "`objective=\"both\"` fits (it does not change the predicted ratings).",
    ]
    for split_name, rows in results.items():
        folds = [f["fold"] for f in rows[0]["folds"]]
        per_fold = len(folds) > 1
        header = "| model | RMSE | MAE | NDCG@10 | fit s |" + ("".join(f" {f} RMSE |" for f in folds) if per_fold else "")
        lines += ["", f"### {split_name}" + (" (mean of the folds)" if per_fold else ""), "", header,
                  "|---" * (5 + (len(folds) if per_fold else 0)) + "|"]
        for row in rows:
            cells = f"| {row['model']} | {row['rmse']:.4f} | {row['mae']:.4f} | {row['ndcg@10']:.4f} | {row['fit_seconds']:.1f} |"
            if per_fold:
                cells += "".join(f" {f['rmse']:.4f} |" for f in row["folds"])
            lines.append(cells)
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="Folder with ml-100k/ and ml-latest-small/.")
    parser.add_argument("--no-svdpp", action="store_true", help="Skip Surprise SVD++, the slowest model (minutes per fold).")
    parser.add_argument("--tune-trials", type=int, default=0, help="Also tune mfrec on each training fold with this many Optuna trials (needs the tune extra).")
    parser.add_argument("--only-tuned", action="store_true", help="Run only the tuned model (with --tune-trials).")
    parser.add_argument("--write-docs", action="store_true", help="Replace the accuracy section of docs/benchmarks.md.")
    args = parser.parse_args()

    env = environment(("numpy", "numba", "scikit-surprise"))
    factories = models(with_svdpp=not args.no_svdpp, tune_trials=args.tune_trials)
    if args.only_tuned:
        factories = {label: make for label, make in factories.items() if label.startswith("mfrec tuned")}
    results = run(load_splits(args.data), factories)
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "accuracy.json").write_text(json.dumps({"environment": env, "results": results}, indent=1))
    command = "python benchmarks/accuracy.py" + (" --no-svdpp" if args.no_svdpp else "")
    command += f" --tune-trials {args.tune_trials}" if args.tune_trials else ""
    command += " --write-docs"
    section = markdown(results, env, command)
    print(section)
    if args.write_docs:
        replace_section(START, END, section)


if __name__ == "__main__":
    main()
