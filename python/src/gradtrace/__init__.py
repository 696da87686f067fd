"""GradTrace in Jupyter: backpropagation circuits, walkthroughs and training reports.

    import gradtrace
    e = gradtrace.explain("(x + y) * z", x=-2, y=5, z=-4)
    e.value, e.gradients          # -12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0}
    e                             # in Jupyter: the circuit (SVG), then the Markdown walkthrough

    %load_ext gradtrace           # the %%gradtrace cell magic for .gt source

The package runs the gradtrace CLI: $GRADTRACE if set, else gradtrace on PATH.
"""

from ._cli import (
    GradTraceCLIError,
    GradTraceError,
    GradTraceNotFoundError,
    find_binary,
)
from .explanation import Explanation, explain
from .training import Training, TrainingStopped, train

__version__ = "0.2.0"

__all__ = [
    "explain",
    "train",
    "Explanation",
    "Training",
    "GradTraceError",
    "GradTraceNotFoundError",
    "GradTraceCLIError",
    "TrainingStopped",
    "find_binary",
    "version",
    "load_ipython_extension",
]


def version():
    """The gradtrace binary's version (gradtrace --version)."""
    from ._cli import run

    out, _ = run(["--version"])
    return out.strip()


def load_ipython_extension(ipython):
    """%load_ext gradtrace: registers the %%gradtrace cell magic."""
    from .magic import load_ipython_extension as load

    load(ipython)
