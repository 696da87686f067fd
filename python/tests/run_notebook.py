#!/usr/bin/env python3
"""Execute examples/backprop.ipynb in a fresh kernel; exit non-zero if any cell fails.

    GRADTRACE=.build/release/gradtrace python3 python/tests/run_notebook.py
    python3 python/tests/run_notebook.py --gradtrace .build/release/gradtrace [--save out.ipynb]

Needs nbclient, nbformat and ipykernel, and the gradtrace package (pip install ./python); it
installs nothing. The notebook's cells assert the published numbers, so a wrong gradient is a
failed cell. The notebook runs with examples/ as its working folder; the kernel's IPython and
Jupyter state (history database, connection files) go to a temporary folder that is removed.
Besides the cells' own asserts, a cell tagged shows-svg must display an SVG (the circuit, a
chart) and one tagged shows-markdown a Markdown walkthrough or report, as a reader would see them.
"""

import argparse
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NOTEBOOK = os.path.join(ROOT, "examples", "backprop.ipynb")

# A code cell tagged shows-svg must display an SVG (image/svg+xml), shows-markdown a Markdown
# output (text/markdown): the circuits, walkthroughs and reports the package displays.
# A front end shows one representation of each output, the first of these it has (JupyterLab's
# and the classic notebook's order), so an SVG beside Markdown in one output is never seen.
MIME = {"shows-svg": "image/svg+xml", "shows-markdown": "text/markdown"}
DISPLAY_ORDER = ["application/javascript", "text/html", "text/markdown", "text/latex",
                 "image/svg+xml", "image/png", "image/jpeg", "application/pdf", "text/plain"]


def fail(message):
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)  # the kernel's tracebacks are coloured
    print("run_notebook: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gradtrace", help="the gradtrace binary (default: $GRADTRACE, else PATH)")
    parser.add_argument("--notebook", default=NOTEBOOK)
    parser.add_argument("--timeout", type=int, default=120, help="seconds per cell (default 120)")
    parser.add_argument("--save", help="also write the executed notebook here (outputs included)")
    options = parser.parse_args()

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError as error:
        fail("%s; install the notebook check's tools: python3 -m pip install nbclient ipykernel "
             "nbformat" % error)
    try:
        import ipykernel  # noqa: F401  (the kernel the notebook runs in)
    except ImportError:
        fail("ipykernel is not installed: python3 -m pip install ipykernel")

    if options.gradtrace:
        os.environ["GRADTRACE"] = os.path.abspath(options.gradtrace)
    try:
        import gradtrace
    except ImportError:
        fail("the gradtrace package is not installed: python3 -m pip install ./python")
    try:
        binary = gradtrace.find_binary()
    except gradtrace.GradTraceNotFoundError as error:
        fail(str(error))
    os.environ["GRADTRACE"] = os.path.abspath(binary)  # the kernel finds the same binary

    notebook = nbformat.read(options.notebook, as_version=4)
    leftover = [c.get("id") for c in notebook.cells if c.cell_type == "code" and c.get("outputs")]
    if leftover:
        fail("%s is committed with outputs in cells %s; clear them" % (options.notebook, leftover))

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gradtrace-notebook-") as scratch:
        for variable, folder in (("IPYTHONDIR", "ipython"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                                 ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_CONFIG_DIR", "config"),
                                 ("MPLCONFIGDIR", "matplotlib")):
            os.environ[variable] = os.path.join(scratch, folder)
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        client = NotebookClient(
            notebook,
            timeout=options.timeout,
            startup_timeout=60,
            kernel_name="python3",
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(options.notebook))}},
        )
        try:
            client.execute()
        except CellExecutionError as error:
            fail("a cell raised an error:\n%s" % error)
        except (CellTimeoutError, TimeoutError) as error:
            fail("a cell ran longer than %d s: %s" % (options.timeout, error))
        except DeadKernelError as error:
            fail("the kernel died: %s" % error)
    elapsed = time.monotonic() - started

    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    not_run = [c.get("id") for c in code_cells if c.get("execution_count") is None]
    if not_run:
        fail("cells were not executed: %s" % not_run)
    svg, markdown = 0, 0
    for cell in code_cells:
        shown = {}
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                fail("cell %s has an error output: %s" % (cell.get("id"), output.get("ename")))
            data = output.get("data", {})
            for mime in DISPLAY_ORDER:
                if mime in data:  # what the reader sees of this output
                    shown.setdefault(mime, []).append(data[mime])
                    break
        for body in [o.get("data", {}).get("image/svg+xml") for o in cell.get("outputs", [])]:
            if body is None:
                continue
            if not body.lstrip().startswith("<svg") or not body.rstrip().endswith("</svg>"):
                fail("cell %s displayed an image/svg+xml that is not an SVG" % cell.get("id"))
        svg += len(shown.get("image/svg+xml", []))
        markdown += len(shown.get("text/markdown", []))
        for tag in cell.get("metadata", {}).get("tags", []):
            mime = MIME.get(tag)
            if mime and not any(body.strip() for body in shown.get(mime, [])):
                fail("cell %s should display %s, and did not (a reader sees: %s)"
                     % (cell.get("id"), mime, ", ".join(sorted(shown)) or "nothing"))
    if options.save:
        nbformat.write(notebook, options.save)
    print("run_notebook: %s: %d code cells passed in %.1f s (%d SVG, %d Markdown outputs; "
          "gradtrace %s, package %s)" % (os.path.relpath(options.notebook), len(code_cells),
                                         elapsed, svg, markdown, binary,
                                         os.path.dirname(gradtrace.__file__)))


if __name__ == "__main__":
    main()
