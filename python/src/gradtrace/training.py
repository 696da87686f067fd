"""gradtrace.train: a training run's report folder, read back as a notebook object."""

import csv
import io
import json
import numbers
import os
import re
import tempfile

from . import _cli
from .explanation import _Markdown, _SVG

__all__ = ["Training", "TrainingStopped", "train", "TRAIN_OPTIONS"]


class TrainingStopped(_cli.GradTraceCLIError):
    """The run stopped early: the loss or a parameter became inf or nan (exit status 1).

    ``training`` is the report of the steps that were done (the CLI still writes it).
    """

    def __init__(self, error, training):
        super().__init__(error.message, error.returncode, error.command, error.stderr)
        self.training = training


# keyword of train() -> the CLI's option (None: a flag without a value)
TRAIN_OPTIONS = {
    "params": "--params",
    "steps": "--steps",
    "epochs": "--epochs",
    "optimizer": "--optimizer",
    "momentum": "--momentum",
    "step_decay": "--step-decay",
    "exp_decay": "--exp-decay",
    "stop_below": "--stop-below",
    "data": "--data",
    "validate": "--validate",
    "batch": "--batch",
    "l2": "--l2",
    "l1": "--l1",
    "seed": "--seed",
    "classify": "--classify",
    "save_every": "--save-every",
    "explain_step": "--explain-step",
    "example": "--example",
    "precision": "--precision",
    "digits": "--digits",
}

_IMAGE_LINE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<file>[^)\s]+\.svg)\)\s*$")


def _option_value(value):
    if isinstance(value, bool):
        raise TypeError("expected a number or text, not %r" % value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


_COUNT_COLUMNS = ("step", "epoch", "updates")


def _cell(column, text):
    if text == "":
        return None  # e.g. no validation set, or no gradient after the last update
    return int(text) if column in _COUNT_COLUMNS else float(text)


def _read_csv(text):
    rows = csv.DictReader(io.StringIO(text))
    return [{k: _cell(k, v) for k, v in row.items()} for row in rows]


class Training:
    """The report of one `gradtrace train` run (its -o folder, read into memory).

    ``loss_history``: the loss column of history.csv as floats. Without data, entry k is the
    loss after k updates (k = 0 is the start); with data, entry s - 1 is step s's batch loss
    (penalty included) at the parameters before its update. ``history`` has every column of
    history.csv (parameters and gradients too, without data), ``epochs`` the per-epoch rows of
    epochs.csv (with data; ``accuracy_history`` their training accuracy), ``parameters`` the final parameters, ``figures`` the SVG charts by
    name (loss, accuracy, gradients, boundary, network), ``markdown`` the report's README and
    ``text`` what the CLI printed.
    """

    def __init__(self, files, text, command=None, stopped=None):
        self.files = files  # file name -> text, for the report's text files
        self.text = text
        self.command = command
        self.stopped = stopped  # the CLI's message when the run stopped early
        self.markdown = files.get("README.md", "")
        self.history = _read_csv(files.get("history.csv", ""))
        self.epochs = _read_csv(files["epochs.csv"]) if "epochs.csv" in files else []
        final = json.loads(files["params-final.json"]) if "params-final.json" in files else {}
        self.parameters = {k: _cli.number(v) for k, v in final.get("parameters", final).items()}
        self.figures = {
            name[: -len(".svg")]: body for name, body in files.items() if name.endswith(".svg")
        }

    @property
    def loss_history(self):
        return [float(row["loss"]) for row in self.history]

    @property
    def accuracy_history(self):
        """Training accuracy per epoch (0 to 1), with data and --classify; else empty."""
        return [row["training_accuracy"] for row in self.epochs
                if row.get("training_accuracy") is not None]

    def figure(self, name):
        """One chart (loss, accuracy, gradients, boundary, network) as an object Jupyter shows."""
        return _SVG(self.figures[name])

    def _repr_markdown_(self):
        # The report's own image links point into a folder that no longer exists; the charts
        # are in figures (and shown in place by the notebook display).
        return "\n".join(
            line for line in self.markdown.splitlines() if not _IMAGE_LINE.match(line)
        )

    def _repr_svg_(self):
        svg = self.figures.get("loss")
        return _SVG(svg)._repr_svg_() if svg is not None else None

    def _ipython_display_(self):
        from IPython.display import display

        chunk = []
        for line in self.markdown.splitlines():
            match = _IMAGE_LINE.match(line)
            name = match.group("file")[: -len(".svg")] if match else None
            if name in self.figures:
                if "".join(chunk).strip():
                    display(_Markdown("\n".join(chunk)))
                chunk = []
                display(_SVG(self.figures[name]))
            else:
                chunk.append(line)
        if "".join(chunk).strip():
            display(_Markdown("\n".join(chunk)))

    def __repr__(self):
        return "<Training: %d history rows, last loss %r%s>" % (
            len(self.history),
            self.loss_history[-1] if self.history else None,
            ", stopped" if self.stopped else "",
        )


def _read_report(folder):
    files = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith((".md", ".csv", ".json", ".svg")):
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                files[name] = handle.read()
    return files


def train(loss, /, *, lr, params=None, steps=None, epochs=None, optimizer=None, momentum=None,
          step_decay=None, exp_decay=None, stop_below=None, data=None, validate=None, batch=None,
          l2=None, l1=None, seed=None, classify=None, weights=None, save_every=None,
          explain_step=None, example=None, precision=None, digits=None, values=None,
          timeout=600, **bindings):
    """Train the parameters of ``loss`` by gradient descent with `gradtrace train`.

    ``loss`` is an expression, program text or a .gt file, as for explain(). ``lr`` is a number
    or an expression in k (updates so far), e.g. ``"1 - 0.9*k/100"``. ``params`` names the
    inputs to train (a list or "w1,w2"); by default every ``param`` the file declares.
    ``data`` is a CSV file or a generator (``"moons(n=100, noise=0.1, seed=1)"``). ``weights``
    is a JSON/CSV file or a dict name -> value to start from. The other keywords are the CLI's
    options (see `gradtrace train --help`); keyword bindings fix other inputs (``y=1``).

    The report folder is written to a temporary folder, read into the returned Training and
    deleted. A run that diverges raises TrainingStopped, whose ``training`` holds what was done.
    """
    options = {
        "params": params, "steps": steps, "epochs": epochs, "optimizer": optimizer,
        "momentum": momentum, "step_decay": step_decay, "exp_decay": exp_decay,
        "stop_below": stop_below, "data": data, "validate": validate, "batch": batch, "l2": l2,
        "l1": l1, "seed": seed, "classify": classify, "save_every": save_every,
        "explain_step": explain_step, "example": example, "precision": precision,
        "digits": digits,
    }
    all_bindings = dict(values or {})
    all_bindings.update(bindings)
    source_args, stdin = _cli.source_arguments(loss)
    arguments = ["train"] + source_args + _cli.binding_arguments(all_bindings)
    arguments += ["--lr", _option_value(lr)]
    for key, value in options.items():
        if value is not None:
            arguments += [TRAIN_OPTIONS[key], _option_value(value)]
    binary = _cli.find_binary()
    with tempfile.TemporaryDirectory(prefix="gradtrace-train-") as scratch:
        if isinstance(weights, dict):
            path = os.path.join(scratch, "weights.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({k: float(v) for k, v in weights.items()}, handle)
            weights = path
        if weights is not None:
            arguments += ["--weights", _option_value(weights)]
        folder = os.path.join(scratch, "report")
        command = [binary] + arguments + ["-o", folder]
        try:
            text, _ = _cli.run(arguments + ["-o", folder], stdin, timeout, binary)
        except _cli.GradTraceCLIError as error:
            if error.returncode == 1 and os.path.isfile(os.path.join(folder, "history.csv")):
                partial = Training(_read_report(folder), "", command, stopped=error.message)
                raise TrainingStopped(error, partial) from None
            raise
        return Training(_read_report(folder), text, command)
