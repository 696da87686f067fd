"""Finding the gradtrace binary and running it (a subprocess, never a shell)."""

import math
import numbers
import os
import shutil
import subprocess

__all__ = [
    "GradTraceError",
    "GradTraceNotFoundError",
    "GradTraceCLIError",
    "find_binary",
    "run",
]


class GradTraceError(Exception):
    """Base class of every error this package raises."""


class GradTraceNotFoundError(GradTraceError):
    """The gradtrace binary could not be found (or is not executable)."""


class GradTraceCLIError(GradTraceError):
    """gradtrace ran and failed; ``message`` is what it wrote to standard error.

    ``returncode`` is its exit status: 2 bad usage or bad input (a syntax error, a missing
    value), 1 a file could not be written, rendering failed or ``--check`` found a mismatch.
    """

    def __init__(self, message, returncode, command, stderr):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.command = list(command)
        self.stderr = stderr

    def __str__(self):
        return self.message


_HOW_TO_FIX = (
    "Build it (bash scripts/setup.sh in the GradTrace repository puts it at "
    ".build/release/gradtrace), then either set the environment variable GRADTRACE to its path "
    "(os.environ['GRADTRACE'] = '/path/to/gradtrace' in a notebook, before the first call) or put "
    "the folder holding it on PATH."
)


def find_binary():
    """The path of the gradtrace binary: $GRADTRACE if set, else ``gradtrace`` on PATH.

    Looked up on every call, so setting os.environ['GRADTRACE'] in a running notebook works.
    """
    configured = os.environ.get("GRADTRACE")
    if configured:
        path = os.path.expanduser(configured)
        if os.path.isdir(path):
            raise GradTraceNotFoundError(
                "GRADTRACE is set to %r, which is a folder, not the gradtrace binary. %s"
                % (configured, _HOW_TO_FIX)
            )
        if not os.path.isfile(path):
            raise GradTraceNotFoundError(
                "GRADTRACE is set to %r, but there is no file there. %s" % (configured, _HOW_TO_FIX)
            )
        if not os.access(path, os.X_OK):
            raise GradTraceNotFoundError(
                "GRADTRACE is set to %r, but that file is not executable (chmod +x it). %s"
                % (configured, _HOW_TO_FIX)
            )
        return path
    found = shutil.which("gradtrace")
    if found is None:
        raise GradTraceNotFoundError(
            "gradtrace was not found: GRADTRACE is not set and there is no gradtrace on PATH. "
            + _HOW_TO_FIX
        )
    return found


def run(arguments, stdin=None, timeout=None, binary=None):
    """Run ``gradtrace <arguments>``; return (standard output, standard error) as text.

    ``stdin`` (text) is passed on standard input. A non-zero exit raises GradTraceCLIError
    with the CLI's own message. Colour is off (NO_COLOR), output is decoded as UTF-8.
    """
    command = [binary or find_binary()] + [str(a) for a in arguments]
    environment = dict(os.environ)
    environment["NO_COLOR"] = "1"
    try:
        completed = subprocess.run(
            command,
            input=(stdin if stdin is not None else "").encode("utf-8"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as error:  # removed between find_binary and here
        raise GradTraceNotFoundError("%s. %s" % (error, _HOW_TO_FIX)) from None
    except PermissionError as error:
        raise GradTraceNotFoundError("%s. %s" % (error, _HOW_TO_FIX)) from None
    except subprocess.TimeoutExpired:
        raise GradTraceError(
            "gradtrace did not finish within %s s: %s" % (timeout, " ".join(command))
        ) from None
    stderr = completed.stderr.decode("utf-8", errors="replace")
    if completed.returncode != 0:
        message = _error_message(stderr) or (
            "gradtrace exited with status %d and no message" % completed.returncode
        )
        raise GradTraceCLIError(message, completed.returncode, command, stderr)
    return completed.stdout.decode("utf-8"), stderr


def _error_message(stderr):
    """The CLI's error, without the warnings that may precede it."""
    text = stderr.strip()
    start = text.find("error:")
    return text[start:] if start >= 0 else text


def binding_arguments(bindings):
    """name=value arguments; values must be real numbers (not bool), written in full precision."""
    arguments = []
    for name, value in bindings.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                "the value of %r must be a number, not %s" % (name, type(value).__name__)
            )
        if isinstance(value, numbers.Integral):
            text = str(int(value))
        else:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError("the value of %r must be finite, not %r" % (name, number))
            text = repr(number)  # shortest round-trip form: the CLI reads back the same double
        arguments.append("%s=%s" % (name, text))
    return arguments


def source_arguments(source):
    """(arguments, stdin) that hand the CLI an expression, a .gt file or a path.

    A path object, or a string ending in .gt that names a file, is read by the CLI itself
    (--file); any other string is the source text, passed on standard input, so that text
    starting with '-' or ending in '.gt' is never taken for an option or a file name.
    """
    if isinstance(source, os.PathLike):
        return ["--file", os.fspath(source)], None
    if not isinstance(source, str):
        raise TypeError("the source must be a string or a path, not %s" % type(source).__name__)
    stripped = source.strip()
    if stripped.endswith(".gt") and "\n" not in stripped and (
        os.path.isfile(stripped) or not any(c.isspace() for c in stripped)
    ):
        # A file name: the CLI reads it, and says so clearly when it does not exist.
        return ["--file", stripped], None
    return ["-"], source


def number(value):
    """A JSON number of the CLI as a float: it writes inf, -inf and nan as strings."""
    if isinstance(value, str):
        if value in ("inf", "-inf", "nan"):
            return float(value)
        raise ValueError("not a number in gradtrace's JSON: %r" % value)
    return float(value)
