"""Training speed of mfrec against Surprise SVD and LIBMF, at equal settings, in one run.

Each library trains in its own process (so each peak RSS is its own) with the same
factors, epochs, learning rate, L2 regularisation and threads, on ML-latest-small and
on synthetic Netflix-shaped sets (``benchmarks/synthetic.py``) of 1M, 10M and 100M
ratings. The script prints one table per data set, writes
``benchmarks/results/speed.json`` and, with ``--write-docs``, rewrites the Speed
section of ``docs/benchmarks.md``.

Usage::

    python benchmarks/speed.py --sets mls,1m,10m --write-docs
    python benchmarks/speed.py --sets 100m --factors 64 --recommend --write-docs

Synthetic sets are generated into ``--data-dir`` when missing. Peers run only where
they are installed and only up to ``PEER_LIMITS`` ratings (Surprise keeps Python
objects per rating and runs on one core).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_DATA = Path(os.environ.get("MFREC_SHARED", REPO.parent / "shared")) / "data"
RESULTS = HERE / "results" / "speed.json"
START, END = "<!-- speed:start -->", "<!-- speed:end -->"

SYNTHETIC = {"1m": 1_000_000, "10m": 10_000_000, "100m": 100_000_000}
#: Largest training set each peer is run on, in ratings.
PEER_LIMITS = {"surprise": 1_100_000, "libmf": 11_000_000}


def data_paths(name: str, data_dir: Path) -> tuple[Path, Path]:
    """Return (train, test) files of a data set, generating a synthetic one when missing."""
    if name == "mls":
        split = SHARED_DATA / "ml-latest-small" / "splits"
        return split / "mls-seed42.train.csv", split / "mls-seed42.test.csv"
    prefix = data_dir / f"synthetic-{name}"
    train, test = prefix.with_name(prefix.name + ".train.parquet"), prefix.with_name(prefix.name + ".test.parquet")
    if not train.exists():
        sys.path.insert(0, str(HERE))
        import synthetic

        started = time.perf_counter()
        synthetic.split_and_write(synthetic.generate(SYNTHETIC[name], seed=0), prefix, 0.02, seed=0)
        print(f"generated {train.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return train, test


def load_columns(path: Path):
    """Return user and item IDs (int64) and ratings (float32) of a CSV or Parquet file."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    table = pq.read_table(path) if path.suffix == ".parquet" else pa_csv.read_csv(path)
    names = table.column_names
    return (
        table.column(names[0]).to_numpy().astype(np.int64),
        table.column(names[1]).to_numpy().astype(np.int64),
        table.column(names[2]).to_numpy().astype(np.float32),
    )


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mfrec(train: Path, test: Path, params: dict) -> dict:
    """Read, fit and score with mfrec; optionally time top-10 for every user."""
    from mfrec import MatrixFactorization, read_ratings

    started = time.perf_counter()
    data = read_ratings(train)
    read_seconds = time.perf_counter() - started
    model = MatrixFactorization(
        factors=params["factors"], epochs=params["epochs"], learning_rate=params["learning_rate"],
        regularization=params["regularization"], bias_regularization=params["regularization"],
        threads=params["threads"], solver=params.get("solver", "sgd"), objective="rating", seed=0,
    )
    started = time.perf_counter()
    model.fit(data)
    fit_seconds = time.perf_counter() - started
    n_train = len(data)
    result = {"read_seconds": read_seconds, "fit_seconds": fit_seconds, "n_train": n_train}
    result["read_fit_peak_rss_mb"] = peak_rss_mb()
    test_users, test_items, test_ratings = load_columns(test)
    user_index, item_index = model.users_.lookup(test_users), model.items_.lookup(test_items)
    # In slices: predict_indices gathers float64 factor rows, 8 * factors bytes per pair.
    predicted = np.concatenate([
        model.predict_indices(user_index[start : start + 200_000], item_index[start : start + 200_000])
        for start in range(0, len(user_index), 200_000)
    ])
    result["rmse"] = float(np.sqrt(np.mean((predicted - test_ratings) ** 2)))
    if params.get("recommend"):
        del data
        started = time.perf_counter()
        recs = model.recommend(model.users_.to_list(), n=10)
        result["recommend_seconds"] = time.perf_counter() - started
        result["recommend_rows"] = len(recs)
    return result


def run_surprise(train: Path, test: Path, params: dict) -> dict:
    """Fit Surprise's SVD (biased, one thread) and score the test set."""
    import pandas as pd
    from surprise import SVD, Dataset, Reader

    started = time.perf_counter()
    users, items, ratings = load_columns(train)
    frame = pd.DataFrame({"user": users, "item": items, "rating": ratings})
    trainset = Dataset.load_from_df(frame, Reader(rating_scale=(float(ratings.min()), float(ratings.max())))).build_full_trainset()
    read_seconds = time.perf_counter() - started
    algo = SVD(
        n_factors=params["factors"], n_epochs=params["epochs"], lr_all=params["learning_rate"],
        reg_all=params["regularization"], init_std_dev=0.1, random_state=0,
    )
    started = time.perf_counter()
    algo.fit(trainset)
    fit_seconds = time.perf_counter() - started
    test_users, test_items, test_ratings = load_columns(test)
    predicted = np.array([algo.predict(u, i).est for u, i in zip(test_users.tolist(), test_items.tolist())])
    rmse = float(np.sqrt(np.mean((predicted - test_ratings) ** 2)))
    return {"read_seconds": read_seconds, "fit_seconds": fit_seconds, "n_train": len(ratings), "rmse": rmse}


def run_libmf(train: Path, test: Path, params: dict) -> dict:
    """Fit LIBMF (L2 matrix factorization, its own adaptive learning rate) and score the test set."""
    from libmf import mf

    started = time.perf_counter()
    users, items, ratings = load_columns(train)
    user_ids, user_index = np.unique(users, return_inverse=True)
    item_ids, item_index = np.unique(items, return_inverse=True)
    matrix = np.column_stack([user_index, item_index, ratings]).astype(np.float32)
    read_seconds = time.perf_counter() - started
    engine = mf.MF(
        k=params["factors"], nr_iters=params["epochs"], eta=params["libmf_eta"],
        lambda_p2=params["regularization"], lambda_q2=params["regularization"],
        lambda_p1=0.0, lambda_q1=0.0, nr_threads=params["threads"],
        nr_bins=max(2 * params["threads"] + 1, 20), quiet=True,
    )
    started = time.perf_counter()
    engine.fit(matrix)
    fit_seconds = time.perf_counter() - started
    del matrix
    test_users, test_items, test_ratings = load_columns(test)
    tu, ti = np.searchsorted(user_ids, test_users), np.searchsorted(item_ids, test_items)
    known = (tu < len(user_ids)) & (ti < len(item_ids))
    known[known] = (user_ids[tu[known]] == test_users[known]) & (item_ids[ti[known]] == test_items[known])
    predicted = np.full(len(test_ratings), float(ratings.mean()))
    # The binding's predict reads the (n, 2) index array column by column, so it
    # must be in Fortran order (its fit reads rows, C order).
    pairs = np.asfortranarray(np.column_stack([tu[known], ti[known]]).astype(np.float32))
    predicted[known] = engine.predict(pairs)
    predicted = np.clip(predicted, ratings.min(), ratings.max())
    rmse = float(np.sqrt(np.mean((predicted - test_ratings) ** 2)))
    return {"read_seconds": read_seconds, "fit_seconds": fit_seconds, "n_train": len(ratings), "rmse": rmse}


RUNNERS = {"mfrec": run_mfrec, "surprise": run_surprise, "libmf": run_libmf}


def worker(library: str, train: str, test: str, params: str) -> None:
    """Run one library in this process and print its result as a ``RESULT {json}`` line."""
    result = RUNNERS[library](Path(train), Path(test), json.loads(params))
    result["peak_rss_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(result), flush=True)


def run_worker(library: str, train: Path, test: Path, params: dict, env: dict | None = None) -> dict | None:
    """Run one library in a child process; return its result, or None when it failed."""
    command = [sys.executable, __file__, "--worker", library, str(train), str(test), json.dumps(params)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        print(f"{library} failed (exit {done.returncode}): {done.stderr.strip()[-600:]}", flush=True)
        return None
    return json.loads(lines[-1][len("RESULT "):])


def installed(library: str) -> bool:
    """Return whether a peer library can be imported."""
    import importlib.util

    return importlib.util.find_spec({"surprise": "surprise", "libmf": "libmf"}.get(library, library)) is not None


def bench_set(name: str, args, params: dict) -> dict:
    """Run every available library on one data set; return the rows of its table."""
    train, test = data_paths(name, args.data_dir)
    rows = {}
    for library in ["mfrec", *args.peers]:
        if library != "mfrec" and not installed(library):
            print(f"{library} is not installed; skipped", flush=True)
            continue
        if library != "mfrec" and name != "mls" and SYNTHETIC[name] > PEER_LIMITS[library]:
            continue
        run_params = dict(params, recommend=args.recommend and library == "mfrec")
        print(f"{name}: {library} ...", flush=True)
        result = run_worker(library, train, test, run_params)
        if result is not None:
            result["ratings_per_second"] = result["n_train"] * params["epochs"] / result["fit_seconds"]
            rows[library] = result
            print(f"  {json.dumps(result)}", flush=True)
    return rows


def time_train_command(params: dict) -> dict:
    """Time ``mfrec train`` on ML-latest-small as a whole process, cold and with compiled kernels cached."""
    train, _ = data_paths("mls", Path("."))
    times = {}
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, NUMBA_CACHE_DIR=folder)
        command = [
            sys.executable, "-m", "mfrec", "train", str(train), "-o", str(Path(folder) / "m.mfrec"),
            "--factors", str(params["factors"]), "--epochs", str(params["epochs"]),
            "--objective", "rating", "--quiet",
        ]
        for label in ("first_use", "cached"):
            started = time.perf_counter()
            subprocess.run(command, check=True, env=env, capture_output=True)
            times[label] = time.perf_counter() - started
    return times


def machine() -> dict:
    """Return the CPU model, core count, memory and library versions of this machine."""
    import numba
    import numpy

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = {"python": platform.python_version(), "numpy": numpy.__version__, "numba": numba.__version__}
    for package in ("scikit-surprise", "libmf"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing peer is simply not listed
            pass
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(memory_kib / 2**20, 1), "versions": versions}


def table(name: str, rows: dict) -> str:
    """Format one data set's results as a Markdown table with mfrec/peer ratios."""
    lines = [
        "| library | train ratings | fit s | ratings/s per epoch | test RMSE | peak RSS MiB | mfrec speed-up |",
        "|---|---|---|---|---|---|---|",
    ]
    ours = rows.get("mfrec")
    for library, row in rows.items():
        ratio = "-" if library == "mfrec" or ours is None else f"{row['fit_seconds'] / ours['fit_seconds']:.1f}x"
        lines.append(
            f"| {library} | {row['n_train']:,} | {row['fit_seconds']:.2f} | {row['ratings_per_second'] / 1e6:.1f}M "
            f"| {row['rmse']:.4f} | {row['peak_rss_mb']:.0f} | {ratio} |"
        )
    return "\n".join(lines)


TITLES = {"mls": "ML-latest-small split", "1m": "Synthetic, 1M ratings", "10m": "Synthetic, 10M ratings", "100m": "Synthetic, 100M ratings"}


PEERS_NOTE = """
Peers, installed by `pip install -e '.[bench]'`:

- Surprise (`scikit-surprise`), `SVD` with biases, one thread.
- LIBMF through the `libmf` package from PyPI (version 0.9.2, bundling LIBMF's C++
  source). Its `setup.py` compiles with neither AVX nor OpenMP, so build it with both
  for a fair comparison:
  `CFLAGS="-O3 -march=native -DUSEAVX -mavx -DUSEOMP -fopenmp" CXXFLAGS="$CFLAGS"
  LDFLAGS="-fopenmp" pip install --no-cache-dir --force-reinstall libmf==0.9.2`.
  Its `predict` reads the index array column by column, so the script passes it in
  Fortran order.
- LensKit is not measured: `pip install lenskit` resolves to lenskit 2025.8.1, which
  needs torch 2.4 or later with its CUDA wheels (several GB) and pandas below 3, while
  this project's environment uses pandas 3.
"""


def docs_section(results: dict) -> str:
    """Return the Speed section of docs/benchmarks.md, built from the stored results."""
    parts = [
        "## Speed (`benchmarks/speed.py`)",
        "",
        "Each library trains in its own process with the same factors, epochs, learning rate, "
        "L2 regularisation and threads. Fit seconds are wall-clock times of the fit call "
        "alone. Ratings/s per epoch is training ratings times epochs over fit seconds, and "
        "the speed-up is the peer's fit time over mfrec's. Surprise runs on one thread "
        "whatever the setting. LIBMF has no user and item biases. It adapts its step size "
        "per parameter (AdaGrad-style), so its `eta` is an initial step, not an SGD "
        "learning rate. It runs with its own default `eta` 0.1, because with 0.01 it is "
        "further from converged after 20 epochs (ML-latest-small test RMSE 0.907, against "
        "0.878 with 0.1). Times are wall-clock on a 2-core machine shared with other work, "
        "so read them as rough.",
    ]
    parts += ["", PEERS_NOTE.strip()]
    for name, entry in results.get("sets", {}).items():
        run = entry["run"]
        params = run["params"]
        parts += [
            "",
            f"### {TITLES.get(name, name)}",
            "",
            f"Run on {run['date']}: {run['machine']['cpu']}, {run['machine']['cores']} cores, "
            f"{run['machine']['memory_gib']} GiB; "
            + ", ".join(f"{k} {v}" for k, v in run["machine"]["versions"].items())
            + f". Command: `{run['command']}`. Settings: {params['factors']} factors, "
            f"{params['epochs']} epochs, learning rate {params['learning_rate']} "
            f"(LIBMF eta {params.get('libmf_eta', params['learning_rate'])}), "
            f"regularisation {params['regularization']}, {params['threads']} threads.",
            "",
            table(name, entry["rows"]),
        ]
        ours = entry["rows"].get("mfrec", {})
        if "recommend_seconds" in ours:
            parts += ["", f"Top-10 for every user ({ours['recommend_rows']:,} rows): {ours['recommend_seconds']:.1f} s; "
                      f"reading the Parquet file: {ours['read_seconds']:.1f} s."]
    parts += targets_section(results)
    command = results.get("train_command")
    if command:
        parts += [
            "",
            "### `mfrec train` on ML-latest-small, whole command",
            "",
            f"Process start to model file, {command['params']['factors']} factors, "
            f"{command['params']['epochs']} epochs, run on {command['date']}: "
            f"{command['first_use']:.2f} s on first use (empty numba cache), "
            f"{command['cached']:.2f} s with the compiled kernels cached.",
        ]
    return "\n".join(parts) + "\n"


def targets_section(results: dict) -> list[str]:
    """Return lines comparing the stored results with the speed targets, met or not."""
    sets = results.get("sets", {})
    lines = ["", "### Against the targets", ""]

    def row(name, library):
        return sets.get(name, {}).get("rows", {}).get(library)

    ours, peer = row("10m", "mfrec"), row("10m", "libmf")
    if ours and peer:
        lines.append(
            f"- 10M, throughput at least LIBMF's with RMSE no worse: mfrec {ours['ratings_per_second'] / 1e6:.1f}M/s "
            f"(RMSE {ours['rmse']:.4f}), LIBMF {peer['ratings_per_second'] / 1e6:.1f}M/s (RMSE {peer['rmse']:.4f}): "
            f"{'met' if ours['ratings_per_second'] >= peer['ratings_per_second'] and ours['rmse'] <= peer['rmse'] else 'not met'}."
        )
    ours, peer = row("1m", "mfrec"), row("1m", "surprise")
    if ours and peer:
        ratio = peer["fit_seconds"] / ours["fit_seconds"]
        lines.append(
            f"- 1M, fit at least 20 times faster than Surprise SVD with RMSE no worse: {ratio:.1f}x "
            f"(RMSE {ours['rmse']:.4f} against {peer['rmse']:.4f}): "
            f"{'met' if ratio >= 20 and ours['rmse'] <= peer['rmse'] else 'not met'}."
        )
    ours = row("100m", "mfrec")
    if ours:
        total = ours["read_seconds"] + ours["fit_seconds"]
        peak = ours.get("read_fit_peak_rss_mb", ours["peak_rss_mb"])
        lines.append(
            f"- 100M, {sets['100m']['run']['params']['factors']} factors, reading plus training under 3 minutes "
            f"and peak RSS under 4 GiB: {total:.0f} s, {peak:.0f} MiB at the end of training "
            f"({ours['peak_rss_mb']:.0f} MiB for the whole run, with test scoring and top-10): "
            f"{'met' if total < 180 and peak < 4096 else 'not met'}."
        )
        if "recommend_seconds" in ours:
            lines.append(
                f"- 100M, top-10 for every user under 2 minutes: {ours['recommend_seconds']:.0f} s: "
                f"{'met' if ours['recommend_seconds'] < 120 else 'not met'}."
            )
    command = results.get("train_command")
    if command:
        lines.append(
            f"- `mfrec train` on ML-latest-small under 1.5 s with cached kernels and under 10 s on "
            f"first use: {command['cached']:.2f} s and {command['first_use']:.2f} s: "
            f"{'met' if command['cached'] < 1.5 and command['first_use'] < 10 else 'not met'}."
        )
    return lines if len(lines) > 3 else []


def write_docs(section: str) -> None:
    """Replace the text between the speed markers of docs/benchmarks.md, adding them when missing."""
    # Imported here: the peer processes of this script must not load mfrec.
    from _report import replace_section

    replace_section(START, END, f"{START}\n{section}{END}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="mls,1m,10m", help="comma-separated: mls, 1m, 10m, 100m (default mls,1m,10m)")
    parser.add_argument("--peers", default="surprise,libmf", help="comma-separated peers to run when installed")
    parser.add_argument("--factors", type=int, default=100, help="latent factors (default 100)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs (default 20)")
    parser.add_argument("--learning-rate", type=float, default=0.01, help="SGD step size (default 0.01)")
    parser.add_argument("--libmf-eta", type=float, default=0.1, help="LIBMF's initial adaptive step (default 0.1, its own default)")
    parser.add_argument("--regularization", type=float, default=0.05, help="L2 weight of factors and biases (default 0.05)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads (default: all cores)")
    parser.add_argument("--recommend", action="store_true", help="also time mfrec's top-10 for every user")
    parser.add_argument("--train-command", action="store_true", help="also time the whole 'mfrec train' command on ML-latest-small")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data", help="where synthetic sets are kept (default benchmarks/data)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the Speed section of docs/benchmarks.md")
    args = parser.parse_args()
    args.peers = [p for p in args.peers.split(",") if p]
    return args


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:6])
        return
    args = parse_args()
    params = {
        "factors": args.factors, "epochs": args.epochs, "learning_rate": args.learning_rate,
        "libmf_eta": args.libmf_eta, "regularization": args.regularization, "threads": args.threads,
    }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    run = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "params": params,
        "command": "python benchmarks/speed.py " + " ".join(sys.argv[1:]),
    }

    for name in args.sets.split(","):
        rows = bench_set(name, args, params)
        print(f"\n{TITLES.get(name, name)}\n{table(name, rows)}\n", flush=True)
        results.setdefault("sets", {})[name] = {"run": run, "rows": rows}
        save_results(results)

    if args.train_command:
        command_params = {"factors": 100, "epochs": 20}
        results["train_command"] = dict(time_train_command(command_params), params=command_params, date=run["date"])
        print(f"mfrec train on ML-latest-small: {results['train_command']}", flush=True)
        save_results(results)
    if args.write_docs:
        write_docs(docs_section(results))


def save_results(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
