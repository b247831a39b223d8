"""The fastnn command line: train, evaluate, predict, info, list, warmup.

Every command validates its input and reports bad input as ONE line on stderr with exit
code 2 (cli/errors.py); unexpected failures exit 1 with a short message (FASTNN_DEBUG=1
shows the traceback). The math is all in the fastnn package: this module parses, loads,
calls the public API and prints.
"""
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import CLIError, TrainingDiverged

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
    typer.echo(f"fastnn: error: {one_line(message)}", err=True)
    raise typer.Exit(code)


def one_line(message):
    """Every error is exactly one line, whatever a file name or an exception text holds."""
    return str(message).strip().replace("\r", "\\r").replace("\n", "\\n")


def _guard(fn):
    """Run a command body; bad input becomes one line on stderr and exit code 2."""
    from fastnn.saving import ModelFileError

    from fastnn.npyio import NpyFileError

    try:
        return fn()
    except typer.Exit:
        raise
    except TrainingDiverged as exc:
        _fail(str(exc), code=1)
    except RecursionError as exc:
        if os.environ.get("FASTNN_DEBUG"):
            raise
        _fail(f"input nested too deeply to read ({exc}).")
    except MemoryError:
        if os.environ.get("FASTNN_DEBUG"):
            raise
        _fail("out of memory: the input is larger than this machine can hold (or claims to be).")
    except (CLIError, ModelFileError, NpyFileError, ValueError, TypeError, FileNotFoundError, FileExistsError, ImportError) as exc:
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
        "--layers", help='Layers, comma-separated: Dense as units:activation, and dropout:RATE, alpha_dropout:RATE, '
                         'gaussian_dropout:RATE, gaussian_noise:STDDEV, batchnorm, layernorm, prelu; e.g. '
                         '"512:relu,dropout:0.2,batchnorm,10:softmax". Default: one hidden layer of 20 units and an '
                         'output layer that fits the loss.')] = None,
    activation: Annotated[Optional[str], typer.Option(
        "--activation", help="Hidden-layer activation of the default model (tanh, or relu for categorical "
                             "losses). Ignored with --layers.")] = None,
    loss: Annotated[str, typer.Option(
        "--loss", help="Loss name, any Keras name or alias (fastnn list). auto: hinge on the built-in data (the "
                       "tutorial), else binary_crossentropy for two classes, categorical_crossentropy for more, "
                       "mean_squared_error for a numeric target with many values.")] = "auto",
    optimizer: Annotated[str, typer.Option(
        "--opt", "--optimizer", help="Optimizer name (fastnn list shows each one's defaults).")] = "adam",
    lr: Annotated[Optional[float], typer.Option(
        "--lr", help="Learning rate (default: the optimizer's Keras 3 default).")] = None,
    schedule: Annotated[str, typer.Option(
        "--schedule", help="Learning-rate schedule over the whole fit, from --lr: none, cosine (to 0), "
                           "warmup-cosine:FRACTION (linear warmup over that fraction of the steps, then cosine), "
                           "exponential:RATE (times RATE per epoch).")] = "none",
    l2: Annotated[Optional[float], typer.Option(
        "--l2", help="L2 regularization: kernel_regularizer=L2(X) on every Dense layer (Keras: X * sum(w^2) "
                     "added to the loss).")] = None,
    weight_decay: Annotated[Optional[float], typer.Option(
        "--weight-decay", help="Decoupled weight decay of the optimizer (AdamW's; any optimizer).")] = None,
    epochs: Annotated[int, typer.Option("--epochs", help="Number of epochs.", min=1)] = 150,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Samples per gradient step.", min=1)] = 32,
    validation_split: Annotated[float, typer.Option(
        "--validation-split", help="Fraction of the training rows held out for validation, in [0, 1), "
                                   "chosen by --split.")] = 0.2,
    split: Annotated[str, typer.Option(
        "--split", help="How validation (and --test-split) rows are chosen: stratified (a random share of each "
                        "class; shuffled for a numeric target), shuffled, or last (the last rows, Keras's "
                        "validation_split rule). auto: stratified for --data, last for the built-in tutorial "
                        "data (as the tutorial).")] = "auto",
    test_split: Annotated[float, typer.Option(
        "--test-split", help="Fraction of --data held out as a test set (chosen by --split) and scored after "
                             "training, in [0, 1).")] = 0.0,
    scale: Annotated[str, typer.Option(
        "--scale", help="Feature scaling learned from the training rows and kept in the model: standard (mean 0, "
                        "variance 1), minmax ([0, 1]) or none. A numeric target is scaled the same way inside "
                        "the model, which still predicts in the target's units. auto: standard for --data, none "
                        "for the built-in tutorial data (as the tutorial).")] = "auto",
    impute: Annotated[str, typer.Option(
        "--impute", help="Missing cells: none (an error naming the column and line), mean or median (numbers; "
                         "text columns take their most frequent value). Learned from the training rows and "
                         "kept in the model.")] = "none",
    metrics: Annotated[str, typer.Option(
        "--metrics", help="Comma-separated metrics; 'accuracy' is left out for regression targets.")] = "accuracy",
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed for the data, initialization and shuffling.")] = 0,
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
                        activation=activation, loss=loss, optimizer=optimizer, lr=lr, schedule=schedule, l2=l2,
                        weight_decay=weight_decay, epochs=epochs,
                        batch_size=batch_size, validation_split=validation_split, split=split, test_split=test_split,
                        scale=scale, impute=impute, metrics=metrics, seed=seed,
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


@app.command()
def export(
    model: Annotated[Path, typer.Argument(help="A model file saved by fastnn.")],
    out: Annotated[Path, typer.Argument(help="The ONNX file to write (.onnx).")],
):
    """Export a saved model's inference graph to ONNX (opset 17, float32, any batch size); the label
    encoding, feature names and column plan go into its metadata. Needs the onnx extra."""
    from .use import run_export

    _guard(lambda: run_export(model, out))


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


# ---- sweep and plots ---------------------------------------------------------------------------

@app.command(name="sweep")
def sweep_command(
    activation: Annotated[Optional[str], typer.Option(
        "--activation", help="Hidden-layer activations to try, comma-separated (default model).")] = None,
    loss: Annotated[str, typer.Option("--loss", help="Losses to try, comma-separated.")] = "hinge",
    optimizer: Annotated[str, typer.Option("--opt", "--optimizer", help="Optimizers to try, comma-separated.")] = "adam",
    lr: Annotated[Optional[str], typer.Option(
        "--lr", help="Learning rates, comma-separated (default: each optimizer's Keras 3 default).")] = None,
    layers: Annotated[Optional[list[str]], typer.Option(
        "--layers", help='Layer specs, separated by ";" or given several times: "20:tanh,1:tanh;40:relu,1:tanh".')] = None,
    batch_size: Annotated[str, typer.Option("--batch-size", help="Batch sizes, comma-separated.")] = "32",
    dropout: Annotated[Optional[str], typer.Option(
        "--dropout", help="Dropout rates after every hidden layer, comma-separated, e.g. 0,0.2,0.5.")] = None,
    l2: Annotated[Optional[str], typer.Option(
        "--l2", help="L2 regularization strengths (kernel_regularizer on every Dense layer), comma-separated, "
                     "e.g. 0,1e-4,1e-3.")] = None,
    schedule: Annotated[str, typer.Option(
        "--schedule", help="Learning-rate schedule for every trial: none, cosine, warmup-cosine:FRACTION, "
                           "exponential:RATE (as fastnn train).")] = "none",
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Seeds per combination (seed, seed+1, ...).")] = 1,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Epochs per trial.")] = 150,
    validation_split: Annotated[float, typer.Option("--validation-split", help="Validation fraction.")] = 0.2,
    seed: Annotated[int, typer.Option("--seed", min=0, help="First seed.")] = 0,
    data: Annotated[Optional[Path], typer.Option("--data", help="Data file (default: the built-in dataset).")] = None,
    labels: Annotated[Optional[Path], typer.Option("--labels", help="Labels .npy for --data x.npy.")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="Label column of a CSV.")] = None,
    test_data: Annotated[Optional[Path], typer.Option("--test-data", help="Held-out data for test metrics.")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Local worker processes (default: all cores).")] = None,
    scheduler: Annotated[Optional[str], typer.Option(
        "--scheduler", help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (pip install 'fastnn[distributed]').")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Results file (.csv or .json), updated after each trial; rerun to resume.")] = None,
    top: Annotated[int, typer.Option("--top", help="Rows in the ranked table (0: all).")] = 20,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
):
    """Train every combination of the given choices and rank them (the tutorial's question, answered)."""
    from types import SimpleNamespace

    from .sweep_cmd import run_sweep

    opts = SimpleNamespace(activation=activation, loss=loss, optimizer=optimizer, lr=lr, layers=layers,
                           batch_size=batch_size, dropout=dropout, l2=l2, schedule=schedule, repeats=repeats, epochs=epochs,
                           validation_split=validation_split,
                           seed=seed, data=data, labels=labels, target=target, test_data=test_data, workers=workers,
                           scheduler=scheduler, out=None if out is None else str(out), top=top, quiet=quiet)
    _guard(lambda: run_sweep(opts))


plot_app = typer.Typer(help="PNG plots: activations, training history, sweep results (pip install 'fastnn[plot]').",
                       no_args_is_help=True)
app.add_typer(plot_app, name="plot")


@plot_app.command("activations")
def plot_activations(
    out: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path("activations.png"),
):
    """Every activation and its derivative on one grid."""
    from fastnn import plotting

    _guard(lambda: typer.echo(f"wrote {plotting.activations_plot(out)}"))


@plot_app.command("history")
def plot_history(
    history: Annotated[Path, typer.Argument(help="A file written by fastnn train --history (.json or .csv).")],
    out: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path("history.png"),
):
    """Loss and metric curves per epoch."""
    from fastnn import plotting

    _guard(lambda: typer.echo(f"wrote {plotting.history_plot(plotting.read_history(history), out)}"))


@plot_app.command("sweep")
def plot_sweep(
    results: Annotated[Path, typer.Argument(help="A results file written by fastnn sweep --out.")],
    x: Annotated[str, typer.Option("--x", help="Grid axis along x.")] = "activation",
    y: Annotated[str, typer.Option("--y", help="Grid axis along y.")] = "optimizer",
    metric: Annotated[str, typer.Option("--metric", help="val_accuracy, test_accuracy, val_loss, train_loss, "
                                                         "test_loss.")] = "val_accuracy",
    out: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path("sweep.png"),
):
    """Heatmap of a metric over two grid axes."""
    from fastnn import plotting, sweep

    def go():
        if not results.exists():
            raise FileNotFoundError(f"no such file: {results}")
        rows = list(sweep.ResultsFile(results).load().values())
        typer.echo(f"wrote {plotting.sweep_plot(rows, x, y, metric, out)}")

    _guard(go)


def _click_exceptions():
    """Click's exception module(s): Typer >= 0.2x vendors its own copy of click, older ones use click."""
    modules = []
    try:
        from typer._click import exceptions as vendored

        modules.append(vendored)
    except ImportError:
        pass
    try:  # Typer 0.29 brings no click at all; older ones need it
        import click.exceptions

        modules.append(click.exceptions)
    except ImportError:
        pass
    return modules


def run(argv=None):
    """Console-script entry point. Usage errors that click catches itself (an unknown option, a
    value out of range, a missing argument) become one `fastnn: error:` line and exit 2, like
    every other error, instead of click's boxed usage message."""
    import sys

    modules = _click_exceptions()
    no_args = tuple(m.NoArgsIsHelpError for m in modules if hasattr(m, "NoArgsIsHelpError"))
    usage = tuple(m.UsageError for m in modules)
    click_error = tuple(m.ClickException for m in modules)
    try:
        code = app(args=argv, prog_name="fastnn", standalone_mode=False)
    except no_args as exc:  # plain `fastnn plot`: its help
        typer.echo(exc.ctx.get_help())
        sys.exit(0)
    except usage as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "fastnn"
        typer.echo(f"fastnn: error: {one_line(exc.format_message())} (see {command} --help)", err=True)
        sys.exit(2)
    except click_error as exc:
        typer.echo(f"fastnn: error: {one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("fastnn: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if any(type(exc).__name__ == "Abort" and type(exc).__module__.startswith(m.__name__.rsplit(".", 1)[0])
               for m in modules):
            typer.echo("fastnn: interrupted", err=True)
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)
