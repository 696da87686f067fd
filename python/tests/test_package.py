"""Unit tests of the gradtrace Python package (python/), against the real CLI.

    GRADTRACE=.build/release/gradtrace python3 -m unittest discover -s python/tests -v
    GRADTRACE=.build/release/gradtrace python3 -m pytest python/tests

They test the installed package (pip install ./python). Without a gradtrace binary ($GRADTRACE
or PATH) the tests that run it are skipped, or fail when CI=true. Everything they write is in
temporary folders.
"""

import json
import math
import os
import pathlib
import stat
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from unittest import mock

import gradtrace
from gradtrace import magic

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# CS231n, Backpropagation, Intuitions: f = (x + y) z and the sigmoid neuron.
ADD_MUL = {"x": -2, "y": 5, "z": -4}
ADD_MUL_F = -12
ADD_MUL_GRADIENTS = {"x": -4, "y": -4, "z": 3}
NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
NEURON_INPUTS = {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}
NEURON_F = 0.7310585786300049
NEURON_GRADIENTS = {"w0": -0.19661193324148185, "x0": 0.3932238664829637,
                    "w1": -0.3932238664829637, "x1": -0.5898357997244456,
                    "w2": 0.19661193324148185}
# Matt Mazur, A Step by Step Backpropagation Example: after one update at eta = 0.5.
MAZUR_WEIGHTS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
MAZUR_E_TOTAL = "0.298371109"
MAZUR_DE_DW5 = "0.082167041"
MAZUR_UPDATED = {"w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114",
                 "w4": "0.29950229", "w5": "0.35891648", "w6": "0.408666186",
                 "w7": "0.511301270", "w8": "0.561370121"}

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"


def _binary_or_none():
    try:
        return gradtrace.find_binary()
    except gradtrace.GradTraceNotFoundError:
        return None


BINARY = _binary_or_none()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def needs_binary(test_class):
    if BINARY is None and not IN_CI:
        return unittest.skip("no gradtrace binary: set GRADTRACE or put gradtrace on PATH")(
            test_class)
    return test_class


class Published:
    def assertPublished(self, actual, expected, tol=1e-12):
        self.assertIsInstance(actual, float)
        self.assertTrue(math.isclose(actual, expected, rel_tol=0, abs_tol=tol),
                        "%r is not the published %r (tolerance %g)" % (actual, expected, tol))

    def assertPublishedDigits(self, actual, text):
        decimals = len(text.split(".")[1])
        self.assertPublished(actual, float(text), tol=0.5 * 10.0 ** -decimals)


class FindingTheBinary(unittest.TestCase):
    """No binary is needed: these make sure a missing one is reported clearly."""

    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.scratch = scratch.name

    def test_gradtrace_variable_pointing_nowhere(self):
        missing = os.path.join(self.scratch, "no-such-gradtrace")
        with mock.patch.dict(os.environ, {"GRADTRACE": missing}):
            with self.assertRaises(gradtrace.GradTraceNotFoundError) as caught:
                gradtrace.explain("(x + y) * z", **ADD_MUL)
        message = str(caught.exception)
        self.assertIn(missing, message)
        self.assertIn("GRADTRACE", message)
        self.assertIn("PATH", message)
        self.assertIsInstance(caught.exception, gradtrace.GradTraceError)

    def test_not_on_path(self):
        environment = {k: v for k, v in os.environ.items() if k != "GRADTRACE"}
        environment["PATH"] = self.scratch  # an empty folder
        with mock.patch.dict(os.environ, environment, clear=True):
            with self.assertRaises(gradtrace.GradTraceNotFoundError) as caught:
                gradtrace.train("w*w", params="w", w=1, lr=0.1)
        self.assertIn("not found", str(caught.exception))
        self.assertIn("GRADTRACE", str(caught.exception))

    def test_not_executable(self):
        path = os.path.join(self.scratch, "gradtrace")
        with open(path, "w") as handle:
            handle.write("#!/bin/sh\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        with mock.patch.dict(os.environ, {"GRADTRACE": path}):
            with self.assertRaises(gradtrace.GradTraceNotFoundError) as caught:
                gradtrace.find_binary()
        self.assertIn("not executable", str(caught.exception))

    def test_variable_comes_before_path(self):
        fake = os.path.join(self.scratch, "my-gradtrace")
        with open(fake, "w") as handle:
            handle.write("#!/bin/sh\necho 9.9.9\n")
        os.chmod(fake, 0o755)
        with mock.patch.dict(os.environ, {"GRADTRACE": fake}):
            self.assertEqual(gradtrace.find_binary(), fake)
            self.assertEqual(gradtrace.version(), "9.9.9")


@needs_binary
class Explain(Published, unittest.TestCase):
    def test_add_mul_numbers_are_the_published_ones(self):
        e = gradtrace.explain("(x + y) * z", **ADD_MUL)
        self.assertPublished(e.value, ADD_MUL_F)
        self.assertEqual(list(e.gradients), list(ADD_MUL_GRADIENTS))
        for name, gradient in ADD_MUL_GRADIENTS.items():
            self.assertPublished(e.gradients[name], gradient)
        self.assertEqual(e.inputs, {k: float(v) for k, v in ADD_MUL.items()})
        q = e.node("x + y")
        self.assertPublished(q["value"], 3)
        self.assertPublished(q["gradient"], -4)

    def test_neuron_numbers_are_the_published_ones(self):
        for source, expand in ((NEURON, False), ("sigmoid(w0*x0 + w1*x1 + w2)", False),
                               ("sigmoid(w0*x0 + w1*x1 + w2)", True)):
            with self.subTest(source=source, expand=expand):
                e = gradtrace.explain(source, **NEURON_INPUTS, expand=expand, precision=2)
                self.assertPublished(e.value, NEURON_F)
                for name, gradient in NEURON_GRADIENTS.items():
                    self.assertPublished(e.gradients[name], gradient)

    def test_json_is_what_the_cli_prints(self):
        e = gradtrace.explain(NEURON, **NEURON_INPUTS)
        args = ["%s=%s" % item for item in NEURON_INPUTS.items()]
        printed = subprocess.run([BINARY, "explain", NEURON] + args + ["--format", "json"],
                                 check=True, stdout=subprocess.PIPE).stdout
        self.assertEqual(e.json, json.loads(printed))
        self.assertEqual(e.json["schema"], "gradtrace-trace/1")

    def test_svg_repr_is_the_circuit(self):
        e = gradtrace.explain("(x + y) * z", **ADD_MUL)
        svg = e._repr_svg_()
        self.assertTrue(svg.startswith("<svg"), svg[:40])
        root = ElementTree.fromstring(svg)
        self.assertEqual(root.tag, SVG_NAMESPACE + "svg")
        texts = {t.text for t in root.iter(SVG_NAMESPACE + "text")}
        # every input's name and value, the output, and each input's gradient on its wire
        for name, value in ADD_MUL.items():
            self.assertIn(name, texts)
            self.assertIn("%g" % value, texts)
            self.assertIn("∇ %g" % ADD_MUL_GRADIENTS[name], texts)
        self.assertIn("%g" % ADD_MUL_F, texts)
        self.assertEqual(e.circuit._repr_svg_(), svg)

    def test_markdown_repr_is_the_walkthrough_with_its_numbers(self):
        e = gradtrace.explain(NEURON, **NEURON_INPUTS, precision=2)
        markdown = e._repr_markdown_()
        self.assertIn("## Forward pass", markdown)
        self.assertIn("## Backward pass", markdown)
        for step in range(1, len(e.steps) + 1):
            self.assertIn("**Step %d:" % step, markdown)
        self.assertIn("The output is $f = %.2f$." % NEURON_F, markdown)
        for name, gradient in NEURON_GRADIENTS.items():
            self.assertIn("| %s | %.2f | %.2f |" % (name, NEURON_INPUTS[name], gradient), markdown)
        self.assertEqual(e.walkthrough._repr_markdown_(), markdown)

    def test_bad_expression_raises_the_cli_message(self):
        with self.assertRaises(gradtrace.GradTraceCLIError) as caught:
            gradtrace.explain("(x + ", x=1)
        error = caught.exception
        self.assertEqual(error.returncode, 2)
        direct = subprocess.run([BINARY, "explain", "-", "x=1"], input=b"(x + ",
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(direct.returncode, 2)
        self.assertEqual(str(error), direct.stderr.decode().strip())
        self.assertTrue(str(error).startswith("error: "), str(error))

    def test_missing_value_and_unknown_binding(self):
        with self.assertRaises(gradtrace.GradTraceCLIError) as caught:
            gradtrace.explain("x * y", x=1)
        self.assertIn("no value for variable 'y'", str(caught.exception))
        with self.assertRaises(gradtrace.GradTraceCLIError) as caught:
            gradtrace.explain("x * y", x=1, y=2, q=3)
        self.assertIn("'q'", str(caught.exception))

    def test_bindings_keep_full_precision(self):
        for value in (0.1, 1e-300, -2.5e17, 1 / 3):
            self.assertEqual(gradtrace.explain("x * 1", x=value).value, value)
        with self.assertRaises(TypeError):
            gradtrace.explain("x", x=True)
        with self.assertRaises(ValueError):
            gradtrace.explain("x", x=float("nan"))

    def test_sources(self):
        self.assertEqual(gradtrace.explain("-x^2 + 3", x=2).value, -1.0)  # not an option
        e = gradtrace.explain("q = x + y\nf = q * z", values=ADD_MUL)
        self.assertPublished(e.node("q")["gradient"], -4)
        for source in (EXAMPLES / "neuron.gt", str(EXAMPLES / "neuron.gt")):
            self.assertPublished(gradtrace.explain(source).gradients["x1"],
                                 NEURON_GRADIENTS["x1"])
        with self.assertRaises(gradtrace.GradTraceCLIError) as caught:
            gradtrace.explain("no-such-file.gt")
        self.assertIn("no-such-file.gt", str(caught.exception))

    def test_refused_diagram_keeps_numbers_and_walkthrough(self):
        n = 300  # 599 gates: over the diagram limit
        source = " + ".join("a%d*b%d" % (i, i) for i in range(n))
        values = {"a%d" % i: 1 for i in range(n)}
        values.update({"b%d" % i: 2 for i in range(n)})
        e = gradtrace.explain(source, values=values)
        self.assertEqual(e.value, 2.0 * n)
        self.assertIsNone(e._repr_svg_())
        self.assertIn("500 gates", str(e.svg_error))
        self.assertIn("## Backward pass", e.markdown)


@needs_binary
class Train(Published, unittest.TestCase):
    def test_mazur_step_is_the_published_one(self):
        t = gradtrace.train(EXAMPLES / "mazur.gt", params=MAZUR_WEIGHTS, lr=0.5, steps=1,
                            precision=9)
        self.assertEqual(len(t.loss_history), 2)  # after 0 and 1 updates
        self.assertPublishedDigits(t.loss_history[0], MAZUR_E_TOTAL)
        self.assertPublishedDigits(t.history[0]["d_w5"], MAZUR_DE_DW5)
        self.assertLess(t.loss_history[1], t.loss_history[0])
        for name, text in MAZUR_UPDATED.items():
            self.assertPublishedDigits(t.parameters[name], text)
            self.assertEqual(t.history[1][name], t.parameters[name])
        self.assertTrue(t._repr_svg_().startswith("<svg"))
        markdown = t._repr_markdown_()
        # the walkthrough of step 1 and its update lines, at 9 decimals
        self.assertIn("The output is $E\\_total = %s$." % MAZUR_E_TOTAL, markdown)
        self.assertIn("0.5 \\times %s = " % MAZUR_DE_DW5, markdown)
        self.assertNotIn("](loss.svg)", markdown)  # no link into the deleted report folder

    def test_moons_report(self):
        t = gradtrace.train(EXAMPLES / "moons.gt", data=EXAMPLES / "moons.csv",
                            lr="1 - 0.9*k/100", steps=20, l2=1e-4, classify="score")
        self.assertEqual(len(t.loss_history), 20)
        self.assertEqual([row["epoch"] for row in t.epochs], list(range(1, 21)))
        self.assertTrue(all(0 <= a <= 1 for a in t.accuracy_history))
        self.assertEqual(len(t.parameters), 337)
        for name in ("loss", "accuracy", "gradients", "boundary", "network"):
            root = ElementTree.fromstring(t.figure(name)._repr_svg_())
            self.assertEqual(root.tag, SVG_NAMESPACE + "svg")
        # the epoch table in the Markdown shows the epochs.csv numbers
        first = t.epochs[0]
        self.assertIn("| 1 | 1 | %.6g |" % first["training_loss"], t.markdown)

    def test_divergence_keeps_the_report(self):
        with self.assertRaises(gradtrace.TrainingStopped) as caught:
            gradtrace.train("w*w*w*w", w=3, params="w", lr=10, steps=50)
        self.assertIn("diverged", str(caught.exception))
        self.assertEqual(caught.exception.returncode, 1)
        history = caught.exception.training.loss_history
        self.assertEqual(history[0], 81.0)
        self.assertTrue(all(b > a for a, b in zip(history, history[1:])))

    def test_bad_parameter_raises_the_cli_message(self):
        with self.assertRaises(gradtrace.GradTraceCLIError) as caught:
            gradtrace.train("x*x", x=1, params="q", lr=0.5)
        self.assertEqual(caught.exception.returncode, 2)
        self.assertIn("'q' is not an input of the loss", str(caught.exception))

    def test_nothing_left_in_the_temporary_folder(self):
        with tempfile.TemporaryDirectory() as scratch:
            with mock.patch.object(tempfile, "tempdir", scratch):
                gradtrace.train("w*w", w=1, params="w", lr=0.1, steps=3)
                gradtrace.explain(EXAMPLES / "moons.gt", data=EXAMPLES / "moons.csv", row=2,
                                  weights={"b3": 0.5})
            self.assertEqual(os.listdir(scratch), [])


class MagicLine(unittest.TestCase):
    def setUp(self):
        try:
            import IPython  # noqa: F401
        except ImportError:
            self.skipTest("IPython is not installed")

    def test_parse(self):
        mode, keywords, bindings, out = magic.parse_line(
            "x=-2 y=5e-1 --precision 2 --expand=sigmoid,tanh --title 'a b' --out r")
        self.assertEqual(mode, "explain")
        self.assertEqual(keywords, {"precision": 2, "expand": ["sigmoid", "tanh"], "title": "a b"})
        self.assertEqual(bindings, {"x": -2, "y": 0.5})
        self.assertEqual(out, "r")
        mode, keywords, bindings, out = magic.parse_line(
            "train --params w0,w1 --lr '1 - 0.9*k/100' --stop-below=1e-3 y=1")
        self.assertEqual((mode, bindings, out), ("train", {"y": 1}, None))
        self.assertEqual(keywords, {"params": "w0,w1", "lr": "1 - 0.9*k/100",
                                    "stop_below": "1e-3"})

    def test_bad_lines(self):
        from IPython.core.error import UsageError

        for line in ("--format svg", "x=abc", "--precision", "stray", "--out 1x",
                     "train --expand"):
            with self.subTest(line=line):
                with self.assertRaises(UsageError):
                    magic.parse_line(line)

    @unittest.skipIf(BINARY is None and not IN_CI, "no gradtrace binary")
    def test_cell(self):
        registered = {}

        class Shell:
            user_ns = {}

            def register_magic_function(self, function, magic_kind, magic_name):
                registered[(magic_kind, magic_name)] = function

        shell = Shell()
        gradtrace.load_ipython_extension(shell)
        cell = registered[("cell", "gradtrace")]
        e = cell("x=-2 y=5 z=-4 --out staged", "q = x + y\nf = q * z\n")
        self.assertIs(shell.user_ns["staged"], e)
        for name, gradient in ADD_MUL_GRADIENTS.items():
            self.assertEqual(e.gradients[name], gradient)
        t = cell("train --params w --lr 0.25 --steps 2", "w = 3\nw*w")
        self.assertEqual(t.loss_history, [9.0, 2.25, 0.5625])  # w: 3, 1.5, 0.75


if __name__ == "__main__":
    unittest.main()
