"""The %%gradtrace cell magic: .gt source in a cell, bindings and options on the magic line.

    %load_ext gradtrace

    %%gradtrace x=-2 y=5 z=-4 --precision 2
    q = x + y
    f = q * z

    %%gradtrace train --params w0,w1,w2 --lr 0.1 --steps 50 --out run
    ...

The first word may be ``explain`` (the default) or ``train``. ``name=value`` words bind inputs;
``--option value`` (or ``--option=value``) are the keywords of gradtrace.explain / gradtrace.train
with dashes (``--stop-below 1e-3``); ``--expand`` alone expands every composite, ``--expand=NAMES``
only those; ``--out NAME`` also stores the result in the variable NAME. The cell's value is the
Explanation or Training, shown as the circuit and walkthrough or the report.
"""

import shlex

from .explanation import explain
from .training import TRAIN_OPTIONS, train

_EXPLAIN_OPTIONS = {
    "precision": int, "digits": int, "title": str, "rankdir": str, "data": str, "row": int,
    "weights": str, "seed": int, "timeout": float,
}
_TRAIN_OPTIONS = dict({key: str for key in TRAIN_OPTIONS}, lr=str, weights=str, timeout=float)


def _number(text, name):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError("the value of %r on the magic line is not a number: %r" % (name, text))


def parse_line(line):
    """(mode, keyword arguments, bindings, variable name) from the magic line."""
    from IPython.core.error import UsageError

    words = shlex.split(line)
    mode = "explain"
    if words and words[0] in ("explain", "train"):
        mode = words.pop(0)
    allowed = _EXPLAIN_OPTIONS if mode == "explain" else _TRAIN_OPTIONS
    keywords, bindings, out = {}, {}, None
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word.startswith("--"):
            name, has_value, value = word[2:].partition("=")
            key = name.replace("-", "_")
            if key == "expand" and mode == "explain":
                keywords["expand"] = value.split(",") if has_value else True
                continue
            if key != "out" and key not in allowed:
                raise UsageError(
                    "%%%%gradtrace %s: unknown option --%s (options: %s, --out NAME)"
                    % (mode, name, ", ".join("--" + k.replace("_", "-") for k in sorted(allowed)))
                )
            if not has_value:
                if i >= len(words):
                    raise UsageError("%%%%gradtrace: --%s needs a value" % name)
                value = words[i]
                i += 1
            if key == "out":
                if not value.isidentifier():
                    raise UsageError("%%%%gradtrace: --out needs a variable name, not %r" % value)
                out = value
            else:
                try:
                    keywords[key] = allowed[key](value)
                except ValueError:
                    raise UsageError("%%%%gradtrace: --%s: %r is not valid" % (name, value))
        elif "=" in word and not word.startswith("-"):
            name, _, value = word.partition("=")
            try:
                bindings[name] = _number(value, name)
            except ValueError as error:
                raise UsageError(str(error))
        else:
            raise UsageError(
                "%%%%gradtrace: %r is neither name=value nor an --option" % word
            )
    return mode, keywords, bindings, out


def gradtrace_cell(line, cell, user_ns=None):
    mode, keywords, bindings, out = parse_line(line)
    run = explain if mode == "explain" else train
    if mode == "train" and "lr" not in keywords:
        from IPython.core.error import UsageError

        raise UsageError("%%gradtrace train needs --lr (a number or an expression in k)")
    result = run(cell, values=bindings, **keywords)
    if out is not None and user_ns is not None:
        user_ns[out] = result
    return result


def load_ipython_extension(ipython):
    def gradtrace(line, cell):
        return gradtrace_cell(line, cell, ipython.user_ns)

    gradtrace.__doc__ = __doc__
    ipython.register_magic_function(gradtrace, magic_kind="cell", magic_name="gradtrace")
