"""Top-10 quality of mfrec's objectives and of peer libraries on two MovieLens splits.

Every model is scored by :func:`mfrec.evaluation.evaluate_ranking` with one definition:
for each test user, the candidates are all training items the user did not rate in
training, ranked by score with ties broken by item index; an item is relevant when
the user's test rating is at least 4.0; users without a relevant test item are left
out of the mean; NDCG@10 uses binary gains, the 1/log2(rank + 1) discount and an ideal
ranking of min(10, relevant) hits.

Peers run when installed (``pip install -e '.[bench]'``): Surprise SVD, and implicit's
ALS and BPR on who rated what (every rating as a positive, equal weight; one ALS run
keeps only ratings of 4 and above). Peers use their library defaults, apart from a
fixed seed. mfrec's ``MostPopular`` is the popularity baseline.

Usage::

    python benchmarks/ranking.py [--data ../shared/data] [--write-docs]
    python benchmarks/ranking.py --sweep

The first prints one table per split, writes ``benchmarks/results/ranking.json`` and,
with ``--write-docs``, replaces the ranking section of ``docs/benchmarks.md``. The
second scores a grid of ImplicitALS hyperparameters on a seeded 10% validation split
of each training set (never the test set): the grid behind ImplicitALS's defaults.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from _report import environment, replace_section
from mfrec import ImplicitALS, MatrixFactorization, Ratings, read_ratings
from mfrec.evaluation import evaluate, evaluate_ranking
from mfrec.models import MostPopular
from mfrec.models._base import rated_structure
from mfrec.split import random_split

REPO = Path(__file__).resolve().parents[1]
SEED = 42
K = 10
METRICS = ("precision@10", "recall@10", "ndcg@10", "map@10", "coverage@10")
START, END = "<!-- ranking:start -->", "<!-- ranking:end -->"


@dataclass
class SplitData:
    name: str
    train: Ratings
    test: Ratings


def load_splits(data: Path) -> list[SplitData]:
    """Read ML-100K ``u1`` and the fixed ML-latest-small split."""
    tab = {"user": 0, "item": 1, "rating": 2, "sep": "\t", "header": False}
    csv = {"user": "userId", "item": "movieId", "rating": "rating"}
    small = data / "ml-latest-small" / "splits"
    return [
        SplitData("ML-100K u1", read_ratings(data / "ml-100k" / "u1.base", **tab), read_ratings(data / "ml-100k" / "u1.test", **tab)),
        SplitData(
            "ML-latest-small split",
            read_ratings(small / "mls-seed42.train.csv", **csv),
            read_ratings(small / "mls-seed42.test.csv", **csv),
        ),
    ]


class PeerScores:
    """A peer's full score matrix, shaped like a fitted mfrec model for evaluate_ranking."""

    def __init__(self, train: Ratings, scores: np.ndarray):
        self.users_, self.items_ = train.users, train.items
        self.rated_indptr_, self.rated_items_ = rated_structure(train.user_index, train.item_index, train.n_users)
        self.scores = scores

    def _check_fitted(self) -> None:
        pass

    def _score_block(self, users: np.ndarray) -> np.ndarray:
        return self.scores[users]


def mfrec_models() -> dict:
    """Return mfrec's contenders, keyed by their table label."""
    return {
        "mfrec objective=rating": lambda: MatrixFactorization(objective="rating", seed=SEED),
        "mfrec objective=ranking": lambda: MatrixFactorization(objective="ranking", seed=SEED),
        "mfrec objective=both (default)": lambda: MatrixFactorization(seed=SEED),
        "mfrec MostPopular": lambda: MostPopular(),
    }


def surprise_svd(train: Ratings) -> np.ndarray:
    import pandas as pd
    from surprise import SVD, Dataset, Reader

    frame = pd.DataFrame({"u": train.user_index, "i": train.item_index, "r": train.rating.astype(np.float64)})
    trainset = Dataset.load_from_df(frame, Reader(rating_scale=train.rating_scale)).build_full_trainset()
    algo = SVD(random_state=SEED)
    algo.fit(trainset)
    users = np.array([trainset.to_inner_uid(u) for u in range(train.n_users)])
    items = np.array([trainset.to_inner_iid(i) for i in range(train.n_items)])
    return (
        trainset.global_mean
        + algo.bu[users][:, None]
        + algo.bi[items][None, :]
        + algo.pu[users] @ algo.qi[items].T
    )


def _user_items(train: Ratings, min_rating: float | None = None):
    from scipy.sparse import csr_matrix

    keep = np.ones(len(train), dtype=bool) if min_rating is None else train.rating >= min_rating
    ones = np.ones(int(keep.sum()), dtype=np.float32)
    pairs = (train.user_index[keep], train.item_index[keep])
    return csr_matrix((ones, pairs), shape=(train.n_users, train.n_items))


def _fit_implicit(model, user_items) -> np.ndarray:
    model.fit(user_items, show_progress=False)
    return np.asarray(model.user_factors) @ np.asarray(model.item_factors).T


def implicit_als(train: Ratings) -> np.ndarray:
    from implicit.cpu.als import AlternatingLeastSquares

    return _fit_implicit(AlternatingLeastSquares(random_state=SEED), _user_items(train))


def implicit_als_liked(train: Ratings) -> np.ndarray:
    from implicit.cpu.als import AlternatingLeastSquares

    return _fit_implicit(AlternatingLeastSquares(random_state=SEED), _user_items(train, min_rating=4.0))


def implicit_bpr(train: Ratings) -> np.ndarray:
    from implicit.cpu.bpr import BayesianPersonalizedRanking

    return _fit_implicit(BayesianPersonalizedRanking(random_state=SEED), _user_items(train))


PEERS = {
    "Surprise SVD": ("scikit-surprise", surprise_svd),
    "implicit ALS": ("implicit", implicit_als),
    "implicit ALS, ratings >= 4 only": ("implicit", implicit_als_liked),
    "implicit BPR": ("implicit", implicit_bpr),
}


def run_split(split: SplitData) -> list[dict]:
    """Fit every available model on one split and score it."""
    train = split.train.compact()
    rows = []
    for label, make in mfrec_models().items():
        started = time.perf_counter()
        model = make().fit(train)
        seconds = time.perf_counter() - started
        row = _row(label, evaluate_ranking(model, split.test, k=K, threshold=4.0), seconds)
        row["rmse"] = evaluate(model, split.test)["rmse"]
        row["rule"] = model.recommend_rule
        row["ranking_weight"] = getattr(model, "ranking_weight_", None)
        rows.append(row)
        print(_line(row), flush=True)
    for label, (package, fit_scores) in PEERS.items():
        try:
            metadata.version(package)
        except metadata.PackageNotFoundError:
            print(f"{label}: skipped, {package} is not installed", flush=True)
            continue
        from threadpoolctl import threadpool_limits

        started = time.perf_counter()
        # implicit's solvers are parallel themselves and ask for a single-threaded BLAS.
        with threadpool_limits(1, "blas"):
            scores = fit_scores(train)
        seconds = time.perf_counter() - started
        row = _row(label, evaluate_ranking(PeerScores(train, scores), split.test, k=K, threshold=4.0), seconds)
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _row(label: str, report, seconds: float) -> dict:
    row = {"model": label, "fit_seconds": round(seconds, 2), "users_evaluated": report.users_evaluated}
    row.update({name: report.metrics[name] for name in METRICS})
    return row


def _line(row: dict) -> str:
    values = " ".join(f"{name} {row[name]:.4f}" for name in METRICS)
    return f"{row['model']:32s} {values} fit {row['fit_seconds']:.1f} s"


SWEEP_GRID = {
    "factors": (32, 64, 128),
    "regularization": (0.05, 1.0, 5.0, 20.0),
    "alpha": (1.0, 5.0),
}


def sweep(split: SplitData) -> list[dict]:
    """Score every ImplicitALS setting of SWEEP_GRID on a validation split of the training set."""
    train, validation = random_split(split.train, test_fraction=0.1, seed=0)
    rows = []
    for factors in SWEEP_GRID["factors"]:
        for regularization in SWEEP_GRID["regularization"]:
            for alpha in SWEEP_GRID["alpha"]:
                params = {"factors": factors, "regularization": regularization, "alpha": alpha, "seed": SEED}
                model = ImplicitALS(**params).fit(train)
                report = evaluate_ranking(model, validation, k=K, threshold=4.0)
                row = {**params, "ndcg@10": report.metrics["ndcg@10"], "coverage@10": report.metrics["coverage@10"]}
                rows.append(row)
                print(
                    f"factors {factors:4d} regularization {regularization:6.2f} alpha {alpha:4.1f}: "
                    f"NDCG@10 {row['ndcg@10']:.4f} coverage@10 {row['coverage@10']:.4f}",
                    flush=True,
                )
    return rows


def markdown(results: dict, env: dict) -> str:
    """Return the ranking section of docs/benchmarks.md."""
    lines = [
        START,
        "## Top-10 ranking (`benchmarks/ranking.py`)",
        "",
        f"Run on {env['date']}: {env['machine']}, Python {env['python']}, "
        + ", ".join(f"{name} {version}" for name, version in env["versions"].items() if version)
        + ". Command: `python benchmarks/ranking.py --write-docs`.",
        "",
        "Candidates are the training items a test user did not rate; relevant means a test "
        "rating of 4.0 or more; users without a relevant test item are left out; NDCG uses "
        "binary gains. Fit seconds include the validation split of `objective=both`; they are "
        "wall-clock times on a machine shared with other work, so read them as rough. RMSE "
        "(test ratings, predictions clipped to the scale) is given for mfrec's factorization models.",
    ]
    for split, rows in results.items():
        lines += ["", f"### {split}", "", "| model | P@10 | R@10 | NDCG@10 | MAP@10 | coverage@10 | RMSE | fit s |", "|---|---|---|---|---|---|---|---|"]
        for row in rows:
            rmse = f"{row['rmse']:.4f}" if row.get("rmse") is not None and row["model"] != "mfrec MostPopular" else "-"
            cells = " | ".join(f"{row[name]:.4f}" for name in METRICS)
            lines.append(f"| {row['model']} | {cells} | {rmse} | {row['fit_seconds']:.1f} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="Folder with ml-100k/ and ml-latest-small/.")
    parser.add_argument("--write-docs", action="store_true", help="Replace the ranking section of docs/benchmarks.md.")
    parser.add_argument("--sweep", action="store_true", help="Score the ImplicitALS grid on validation splits instead.")
    args = parser.parse_args()
    if args.sweep:
        for split in load_splits(args.data):
            print(f"== {split.name}: validation split of the training ratings", flush=True)
            sweep(split)
        return

    env = environment(("numpy", "numba", "scikit-surprise", "implicit"))
    results = {}
    for split in load_splits(args.data):
        print(f"== {split.name}: {len(split.train)} training, {len(split.test)} test ratings", flush=True)
        results[split.name] = run_split(split)

    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ranking.json").write_text(json.dumps({"environment": env, "results": results}, indent=1))
    if args.write_docs:
        replace_section(START, END, markdown(results, env))


if __name__ == "__main__":
    main()
