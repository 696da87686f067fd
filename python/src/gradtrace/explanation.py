"""gradtrace.explain: one expression traced forward and backward, as a notebook object."""

import json
import os
import re
import tempfile

from . import _cli

__all__ = ["Explanation", "explain", "explain_arguments"]


def explain_arguments(precision=None, digits=None, expand=False, title=None, rankdir=None):
    """The display options of `gradtrace explain`, as CLI arguments."""
    arguments = []
    if precision is not None and digits is not None:
        raise ValueError("give precision (decimals) or digits (significant figures), not both")
    if precision is not None:
        arguments += ["--precision", str(int(precision))]
    if digits is not None:
        arguments += ["--digits", str(int(digits))]
    if expand is True:
        arguments.append("--expand")
    elif expand:  # a name or a list of names: only those composites are drawn as their bodies
        names = [expand] if isinstance(expand, str) else list(expand)
        arguments.append("--expand=" + ",".join(names))
    if title is not None:
        arguments += ["--title", str(title)]
    if rankdir is not None:
        arguments += ["--rankdir", str(rankdir)]
    return arguments


def _svg_element(document):
    """The <svg> element of Graphviz's SVG file, without the XML prolog and DOCTYPE."""
    start = document.find("<svg")
    return document[start:] if start >= 0 else document


class Explanation:
    """One run of `gradtrace explain`: numbers from its JSON, the Markdown walkthrough, the SVG circuit.

    In Jupyter the object shows the circuit, then the walkthrough. ``_repr_svg_`` and
    ``_repr_markdown_`` give each on its own (``display(e.circuit)``, ``display(e.walkthrough)``).

    Numbers are floats at full precision (the CLI's JSON); ``json`` is the whole parsed document
    (schema gradtrace-trace/1, described in the GradTrace README).
    """

    def __init__(self, data, markdown, svg, svg_error=None, command=None, warnings_text=""):
        self.json = data
        self.markdown = markdown
        self._svg = svg
        self.svg_error = svg_error
        self.command = command
        self.stderr = warnings_text

    # --- numbers -------------------------------------------------------------------------

    @property
    def value(self):
        """The output's value."""
        return _cli.number(self.json["output"])

    @property
    def output_name(self):
        """The output's name (f unless the source names it)."""
        return self.json["outputName"]

    @property
    def source(self):
        return self.json.get("source")

    @property
    def gradients(self):
        """d output / d input, by input name, in the order of the inputs."""
        return {name: _cli.number(v) for name, v in self.json["gradients"].items()}

    @property
    def inputs(self):
        """Each input's value, by name."""
        return {i["name"]: _cli.number(i["value"]) for i in self.json["inputs"]}

    @property
    def nodes(self):
        """The tape in topological order: dicts with id, name, label, gate, inputs, value, gradient."""
        return [_with_numbers(n, ("value", "gradient", "parameter")) for n in self.json["nodes"]]

    def node(self, name):
        """The node named (or labelled) ``name``: its value and gradient are floats."""
        for n in self.nodes:
            if n.get("name") == name:
                return n
        for n in self.nodes:
            if n.get("label") == name:
                return n
        raise KeyError(name)

    @property
    def steps(self):
        """The backward pass in order; each input slot's local gradient, and local x upstream."""
        result = []
        for step in self.json["steps"]:
            step = _with_numbers(step, ("upstream",))
            step["inputs"] = [_with_numbers(i, ("local", "contribution")) for i in step["inputs"]]
            result.append(step)
        return result

    @property
    def warnings(self):
        """The CLI's warnings (division by zero, a max tie, an unused statement, ...) as text."""
        return [w["message"] for w in self.json.get("warnings", [])]

    # --- views ---------------------------------------------------------------------------

    @property
    def svg(self):
        """The circuit as an SVG document (raises the CLI's error if it refused to draw it)."""
        if self._svg is None:
            raise self.svg_error
        return self._svg

    @property
    def circuit(self):
        """An object that shows only the circuit diagram in Jupyter."""
        return _SVG(self.svg)

    @property
    def walkthrough(self):
        """An object that shows only the Markdown walkthrough in Jupyter."""
        return _Markdown(self.markdown)

    def _repr_svg_(self):
        return _svg_element(self._svg) if self._svg is not None else None

    def _repr_markdown_(self):
        return self.markdown

    def _ipython_display_(self):
        # A front end shows one representation of an object (Markdown before SVG), so both
        # are displayed here, circuit first as in the lecture notes.
        from IPython.display import display

        if self._svg is not None:
            display(_SVG(self._svg))
        else:
            display(_Markdown("*No circuit diagram: %s*" % self.svg_error))
        display(_Markdown(self.markdown))

    def __repr__(self):
        gradients = ", ".join("d%s=%r" % (k, v) for k, v in self.gradients.items())
        return "<Explanation %s = %r; %s>" % (self.output_name, self.value, gradients)


def _with_numbers(record, keys):
    record = dict(record)
    for key in keys:
        if key in record and record[key] is not None:
            record[key] = _cli.number(record[key])
    return record


class _SVG:
    """An SVG document that Jupyter shows as the image; its text form is a short label."""

    def __init__(self, document):
        self.data = document

    def _repr_svg_(self):
        return _svg_element(self.data)

    def __repr__(self):
        match = re.search(r"<title>([^<]*)</title>", self.data)
        return "<SVG %s>" % (match.group(1) if match else "figure")


class _Markdown:
    """Markdown that Jupyter renders; its text form is the Markdown itself."""

    def __init__(self, text):
        self.data = text

    def _repr_markdown_(self):
        return self.data

    def __repr__(self):
        return self.data


def explain(source, /, *, precision=None, digits=None, expand=False, title=None, rankdir=None,
            data=None, row=None, weights=None, seed=None, values=None, timeout=60, **bindings):
    """Trace ``source`` forward and backward with `gradtrace explain`.

    ``source`` is an expression (``"(x + y) * z"``), program text with statements and new
    lines, or a .gt file (a path, or a string ending in .gt). Keyword arguments bind inputs
    (``x=-2``); ``values={"W1[1,1]": 0.5}`` binds names that are not Python identifiers, or
    the option names. ``precision`` (decimals) or ``digits`` (significant figures) round the
    walkthrough and diagram; the numbers from JSON are always full precision. ``expand=True``
    draws every composite gate (sigmoid, tanh, ...) as the lecture's primitives,
    ``expand="sigmoid"`` only those named. ``data`` and ``row`` bind the inputs from a row of
    a CSV file or generator, ``weights`` the parameters from a file or a dict (such as a
    Training's ``parameters``).

    Raises GradTraceNotFoundError when the binary cannot be found, GradTraceCLIError with the
    CLI's message when it rejects the input.
    """
    all_bindings = dict(values or {})
    all_bindings.update(bindings)
    source_args, stdin = _cli.source_arguments(source)
    base = ["explain"] + source_args + _cli.binding_arguments(all_bindings)
    if data is not None:
        base += ["--data", os.fspath(data) if isinstance(data, os.PathLike) else str(data)]
    if row is not None:
        base += ["--row", str(int(row))]
    if seed is not None:
        base += ["--seed", str(int(seed))]
    options = explain_arguments(precision, digits, expand, title, rankdir)
    binary = _cli.find_binary()

    with tempfile.TemporaryDirectory(prefix="gradtrace-explain-") as scratch:
        if isinstance(weights, dict):
            path = os.path.join(scratch, "weights.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({k: float(v) for k, v in weights.items()}, handle)
            weights = path
        if weights is not None:
            base += ["--weights", os.fspath(weights)]

        def view(kind):
            return _cli.run(base + options + ["--format", kind], stdin, timeout, binary)

        text, warnings_text = view("json")
        data_ = json.loads(text)
        markdown, _ = view("markdown")
        try:
            svg, _ = view("svg")
            svg_error = None
        except _cli.GradTraceCLIError as error:
            # The trace is fine (the JSON run succeeded), but the diagram was refused: over
            # 500 gates, or one value used too often. Keep the numbers and the walkthrough.
            svg, svg_error = None, error
    return Explanation(data_, markdown, svg, svg_error, [binary] + base + options, warnings_text)
