"""The fastnn command line: train, evaluate, predict, info, list, warmup.

Every command validates its input and reports bad input as ONE line on stderr with exit
code 2 (cli/errors.py); unexpected failures exit 1 with a short message (FASTNN_DEBUG=1
shows the traceback). The math is all in the fastnn package: this module parses, loads,
calls the public API and prints.
"""
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import CLIError

app = typer.Typer(
    name="fastnn",
    help="Train small-to-medium Dense networks on the CPU, fast. Keras semantics, Numba kernels.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool):
    if value:
        from fastnn import __version__

        typer.echo(f"fastnn {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")] = None,
):
    """fastnn: Keras-compatible training of Dense networks, every step a compiled kernel."""


def _fail(message, code=2):
    typer.echo(f"fastnn: error: {message}", err=True)
    raise typer.Exit(code)


def _guard(fn):
    """Run a command body; bad input becomes one line on stderr and exit code 2."""
    from fastnn.saving import ModelFileError

    try:
        return fn()
    except typer.Exit:
        raise
    except (CLIError, ModelFileError, ValueError, TypeError, FileNotFoundError, FileExistsError) as exc:
        if os.environ.get("FASTNN_DEBUG"):
            raise
        _fail(str(exc))
    except OSError as exc:
        if os.environ.get("FASTNN_DEBUG"):
            raise
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        typer.echo("fastnn: interrupted", err=True)
        raise typer.Exit(130)
    except Exception as exc:  # a bug in fastnn, not bad input
        if os.environ.get("FASTNN_DEBUG"):
            raise
        _fail(f"internal error ({type(exc).__name__}: {exc}); rerun with FASTNN_DEBUG=1 for the traceback "
              f"and please report it.", code=1)


# ---- train -----------------------------------------------------------------------------------

@app.command()
def train(
    data: Annotated[Optional[Path], typer.Option(
        "--data", help="Training data: CSV with a header, .npz with x and y, or .npy features (with --labels). "
                       "Default: the seed tutorial's built-in dataset.")] = None,
    labels: Annotated[Optional[Path], typer.Option("--labels", help="Labels .npy file for --data x.npy.")] = None,
    target: Annotated[Optional[str], typer.Option(
        "--target", help="Name of the label column in a CSV (default: the last column).")] = None,
    test_data: Annotated[Optional[Path], typer.Option(
        "--test-data", help="Held-out data to report test metrics on (same format as --data).")] = None,
    layers: Annotated[Optional[str], typer.Option(
        "--layers", help='Dense layers as units:activation, e.g. "20:tanh,1:tanh". Default: one hidden layer '
                         'of 20 units and an output layer that fits the loss.')] = None,
    activation: Annotated[Optional[str], typer.Option(
        "--activation", help="Hidden-layer activation of the default model (tanh, or relu for categorical "
                             "losses). Ignored with --layers.")] = None,
    loss: Annotated[str, typer.Option("--loss", help="Loss name, any Keras name or alias (fastnn list).")] = "hinge",
    optimizer: Annotated[str, typer.Option(
        "--opt", "--optimizer", help="Optimizer name (fastnn list shows each one's defaults).")] = "adam",
    lr: Annotated[Optional[float], typer.Option(
        "--lr", help="Learning rate (default: the optimizer's Keras 3 default).")] = None,
    epochs: Annotated[int, typer.Option("--epochs", help="Number of epochs.", min=1)] = 150,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Samples per gradient step.", min=1)] = 32,
    validation_split: Annotated[float, typer.Option(
        "--validation-split", help="Fraction of the training rows (the last ones, as Keras) held out for "
                                   "validation, in [0, 1).")] = 0.2,
    metrics: Annotated[str, typer.Option(
        "--metrics", help="Comma-separated metrics; 'accuracy' is left out for regression targets.")] = "accuracy",
    seed: Annotated[int, typer.Option("--seed", help="Seed for the data, initialization and shuffling.")] = 0,
    dtype: Annotated[str, typer.Option("--dtype", help="float32 (fast) or float64 (exact).")] = "float32",
    out: Annotated[Optional[Path], typer.Option("--out", help="Save the trained model to this file.")] = None,
    history: Annotated[Optional[Path], typer.Option(
        "--history", help="Write per-epoch metrics to this .json or .csv file.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one machine-readable JSON summary on stdout (progress goes to stderr).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-epoch progress.")] = False,
):
    """Train a model: by default the seed tutorial's experiment (5-20-1 tanh, hinge, Adam, 150 epochs)."""
    from .train import TrainOptions, run_train

    opts = TrainOptions(data=data, labels=labels, target=target, test_data=test_data, layers=layers,
                        activation=activation, loss=loss, optimizer=optimizer, lr=lr, epochs=epochs,
                        batch_size=batch_size, validation_split=validation_split, metrics=metrics, seed=seed,
                        dtype=dtype, out=out, history=history, as_json=as_json, quiet=quiet)
    code = _guard(lambda: run_train(opts))
    if code:
        raise typer.Exit(code)


# ---- evaluate / predict / info -------------------------------------------------------------

@app.command()
def evaluate(
    model: Annotated[Path, typer.Argument(help="A model file saved by fastnn train --out or model.save().")],
    data: Annotated[Path, typer.Argument(help="Labeled data: CSV (with the target column), .npz, or .npy.")],
    labels: Annotated[Optional[Path], typer.Option("--labels", help="Labels .npy file for a .npy DATA.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
):
    """Loss, metrics and accuracy of a saved model on labeled data."""
    from .use import run_evaluate

    _guard(lambda: run_evaluate(model, data, labels, as_json))


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A model file saved by fastnn train --out or model.save().")],
    data: Annotated[Path, typer.Argument(help="Features: CSV (the model's columns), .npz (x) or .npy.")],
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Write predictions to a .csv or .npy file instead of stdout.")] = None,
    proba: Annotated[bool, typer.Option(
        "--proba", help="Raw network outputs (probabilities/scores) instead of class labels.")] = False,
):
    """Predictions of a saved model: class labels (as in the training data) or raw outputs."""
    from .use import run_predict

    _guard(lambda: run_predict(model, data, out, proba))


@app.command()
def info(
    model: Annotated[Path, typer.Argument(help="A model file saved by fastnn.")],
):
    """Summary table, compile settings and label encoding of a saved model."""
    from .use import run_info

    _guard(lambda: run_info(model))


@app.command(name="list")
def list_names():
    """Every activation, loss (with aliases) and optimizer (with defaults), from the library's registries."""
    from .use import run_list

    _guard(run_list)


@app.command()
def warmup(
    dtype: Annotated[str, typer.Option("--dtype", help="float32, float64 or all.")] = "all",
):
    """Compile every kernel into Numba's on-disk cache, so later runs start fast."""
    from .use import run_warmup

    _guard(lambda: run_warmup(dtype))


def run():
    """Console-script entry point."""
    app(prog_name="fastnn")
