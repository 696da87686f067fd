import Foundation
import Testing
@testable import GradTrace

/// A tag Markdown or HTML would read: `<name` not escaped as `\<` (or `&lt;`).
func hasRawTag(_ text: String) -> Bool {
    text.range(of: #"(?<!\\)<[A-Za-z/!?]"#, options: .regularExpression) != nil
}

let fixtures = packageRoot.appendingPathComponent("Tests/GradTraceTests/Fixtures")

/// Seconds `body` takes.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Lesson prose is third-party Markdown: it must never crash or hang a build, and nothing in it
/// may become markup or a fetch in a page a student opens.
@Suite struct ProseSafetyTests {
    // MARK: Crashes and hangs

    @Test func thematicBreaksBuildInsteadOfCrashing() throws {
        // Ink died with "String index is out of bounds" on a prose section starting with ---.
        for text in ["---\n\nAfter a separator.", "- - -\n", "***\n\ntext", "---"] {
            #expect(Prose.html(text).contains("<hr />"), "\(text.debugDescription)")
        }
        let out = try temporaryDirectory()
        let later = try temporaryDirectory().appendingPathComponent("later.md")
        try "# Later lesson\n\nStill built.\n".write(to: later, atomically: true, encoding: .utf8)
        let outcomes = try LessonBuild().run(files: [fixtures.appendingPathComponent("lessons/thematic-breaks.md").path, later.path],
                                             output: out.path, writeIndex: true)
        #expect(outcomes.allSatisfy { $0.error == nil })
        let handout = try String(contentsOf: out.appendingPathComponent("thematic-breaks/handout.html"), encoding: .utf8)
        #expect(handout.components(separatedBy: "<hr />").count - 1 == 3)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("later/handout.html").path), "later lessons are built")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path), "and the index")
    }

    @Test func deepBracketsAndListsDoNotOverflowTheStack() {
        // Ink's recursive link reader overflowed on 10,000 '['; its list reader on 3,000 nested lists.
        let brackets = String(repeating: "[", count: 10_000)
        #expect(Prose.html(brackets).hasPrefix("<p>[[[["))
        let images = String(repeating: "\"[![", count: 10_000)
        #expect(Prose.html(images).count > 40_000)
        let lists = (0..<3_000).map { String(repeating: "  ", count: $0) + "- a" }.joined(separator: "\n")
        #expect(Prose.html(lists).components(separatedBy: "<ul>").count - 1 == 3_000)
    }

    @Test func pathologicalInputsTakeLinearTime() {
        // Each took from 9 s to far over 100 s (or never finished) with Ink and the old math
        // converter.
        let cases: [(String, Int, (Int) -> String)] = [
            ("30 '['", 30, { n in String(repeating: "[", count: n) }),
            ("24 '[' with text", 24, { n in String(repeating: "[a", count: n) }),
            ("8,000 $a$", 8_000, { n in String(repeating: "$a$ ", count: n) }),
            ("&", 100_000, { n in String(repeating: "&", count: n) }),
            ("$", 100_000, { n in String(repeating: "$", count: n) }),
            ("[a](", 50_000, { n in String(repeating: "[a](", count: n) }),
            ("nested \\frac{", 20_000, { n in "$" + String(repeating: "\\frac{", count: n) + "$" }),
            ("nested \\frac{a}{", 20_000, { n in "$" + String(repeating: "\\frac{a}{", count: n) + "$" }),
            ("\\text{", 20_000, { n in "$" + String(repeating: "\\text{a", count: n) + "$" }),
            ("< ?", 50_000, { n in String(repeating: "<?", count: n) }),
            ("<![CDATA[", 20_000, { n in "x" + String(repeating: "<![CDATA[", count: n) }),
            ("many $ on lines", 50_000, { n in String(repeating: "$ a\n", count: n) }),
        ]
        // Linear means a quarter of the input takes about a quarter of the time: the ratio of the
        // two (each the faster of two runs) is compared, not a time, so a loaded machine does not
        // fail it. Quadratic gives about 16, exponential far more; below 5 ms both are noise.
        func cost(_ text: String) -> (Double, String) {
            var html = ""
            let t = (0..<2).map { _ in seconds { html = Prose.html(text); _ = Prose.markdown(text); _ = Prose.problems(text) } }.min()!
            return (t, html)
        }
        for (name, n, make) in cases {
            let (small, _) = cost(make(max(1, n / 4)))
            let (full, html) = cost(make(n))
            #expect(full < 0.005 || full / max(small, 1e-4) < 9, "\(name): \(small) s at n/4, \(full) s at n")
            #expect(!html.isEmpty, "\(name)")
        }
    }

    @Test func structuresThatSlowTheParserAreRefusedWithTheirLine() {
        // cmark-gfm 0.29.0.gfm.6 (Debian 12) is quadratic in these; a lesson may not have them.
        let quotes = "Intro\n\n" + String(repeating: "> ", count: 5_000) + "a\n"
        let p = Prose.problems(quotes)
        #expect(p.count == 1 && p[0].line == 3 && p[0].message.contains("nested 5000 deep"))
        #expect(Prose.html(quotes).hasPrefix("<pre class=\"unrendered\">"), "shown as typed, not parsed")
        let lists = String(repeating: "- ", count: 5_000) + "a"
        #expect(Prose.problems(lists).first?.message.contains("nested") == true)
        let wide = "|a|\n|-|\n" + String(repeating: "|", count: 5_000) + "\n"
        #expect(Prose.problems(wide).first?.line == 3)
        // Ordinary structure is fine: quotes, lists, thematic breaks made of many dashes.
        #expect(Prose.problems("> > quote\n\n- a\n  - b\n\n" + String(repeating: "- ", count: 50) + "\n").isEmpty)
    }

    // MARK: Markup from lesson text

    @Test func attributeValuesAreEscaped() {
        let img = Prose.html("![x\" onerror=\"alert(1)](y.png)")
        #expect(img.contains("alt=\"x&quot; onerror=&quot;alert(1)\""))
        #expect(!img.contains("\" onerror=\""))
        let title = Prose.html("[a](x.html \"t\\\" onmouseover=\\\"alert(2)\")")
        #expect(title.contains("title=\"t&quot; onmouseover=&quot;alert(2)\""))
        let url = Prose.html("[a](<x\" onmouseover=\"alert(2)>)")
        #expect(!url.contains("\" onmouseover=\""))
    }

    @Test func onlySafeLinkTargetsSurvive() {
        let bad = ["javascript:alert(3)", "JAVASCRIPT:alert(3)",
                   "&#106;avascript:alert(3)", "&#x6A;avascript:alert(3)", "&#9;javascript:alert(3)", "javascript&colon;alert(3)",
                   "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:x", "file:///etc/passwd", "//evil.example/x",
                   "/\\evil.example", "ftp://example.com"]
        for target in bad {
            let html = Prose.html("[c](\(target))")
            #expect(!html.contains("<a"), "\(target) → \(html)")
            #expect(html.contains("<p>c</p>"), "the link text stays: \(html)")
            #expect(Prose.problems("[c](\(target))").count == 1, "\(target) is reported")
        }
        for target in ["https://example.org/a?b=1&c=2", "http://example.org", "mailto:t@example.org", "other.html", "../02/handout.html#x", "#top"] {
            #expect(Prose.html("[c](\(target))").contains("<a href=\""), "\(target)")
            #expect(Prose.problems("[c](\(target))").isEmpty, "\(target)")
        }
    }

    @Test func nestedDroppedTargetsAreSafe() {
        // Found by the prose fuzzer: dropping an image freed a link inside it that was then read.
        for text in ["![[a](javascript:x)](http://img.example/p.png)", "[![a](http://x/p.png)](javascript:y)",
                     "![![![a](//x)](//y)](//z)"] {
            let html = Prose.html(text)
            #expect(!html.contains("javascript") && !html.contains("<img"), "\(text) → \(html)")
            #expect(!Prose.problems(text).isEmpty)
        }
        #expect(!Prose.html("[[![a](:b)](c:)](d)").contains("href=\"c:"))
    }

    @Test func imagesNeverComeFromTheNetwork() {
        for target in ["http://example.com/x.png", "https://example.com/x.png", "//example.com/x.png", "HTTPS://example.com/x.png"] {
            let html = Prose.html("![a pixel](\(target))")
            #expect(!html.contains("<img"), "\(target)")
            #expect(html.contains("a pixel"), "the description stays")
            let p = Prose.problems("Intro\n\n![a pixel](\(target))")
            #expect(p.count == 1 && p[0].line == 3 && p[0].message.contains("fetched from the network"), "\(p)")
        }
        #expect(Prose.html("![dot](data:image/png;base64,iVBORw0KGgo=)").contains("<img src=\"data:image/png;base64,"))
        #expect(!Prose.html("![x](data:image/svg+xml;base64,PHN2Zz4=)").contains("<img"), "SVG can carry script")
        #expect(Prose.html("![local](figure.png)").contains("<img src=\"figure.png\""))
    }

    @Test func mathPlaceholdersCannotReachAnAttribute() {
        let html = Prose.html("$x$ then [link](GTMATH0X) and [m]($y$) and ![i]($z^2$) and `$c$`")
        #expect(html.contains("<a href=\"GTMATH0X\">link</a>"))
        #expect(html.contains("<a href=\"$y$\">m</a>"), "math in a link target is kept as typed")
        #expect(html.contains("<img src=\"$z%5E2$\" alt=\"i\""), "\(html)")
        #expect(Prose.html("![area $r^2$](a.png)").contains("alt=\"area r²\""), "math in a description is plain text")
        #expect(html.contains("<code>$c$</code>"), "math in code is code")
        #expect(!html.contains("href=\"<"), "\(html)")
        // The placeholder characters themselves cannot be forged.
        let forged = Prose.html("$x$ and \u{E001}0\u{E002} and \u{E000}script>")
        #expect(forged.components(separatedBy: "<span class=\"math\">").count - 1 == 1)
        #expect(!forged.contains("<script"))
    }

    @Test func rawHTMLIsTextInEveryOutput() throws {
        let text = "A <script>alert(1)</script> and <img src=x onerror=alert(2)>.\n\n<div onclick=\"x()\">block</div>\n"
        let html = Prose.html(text)
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<div"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        let markdown = Prose.markdown(text)
        #expect(!hasRawTag(markdown), "\(markdown)")
        #expect(markdown.contains("\\<script\\>"), "\(markdown)")
        // The walkthrough page (README.md) uses it.
        let out = try temporaryDirectory()
        let outcomes = try LessonBuild().run(files: [fixtures.appendingPathComponent("lessons/script-vectors.md").path], output: out.path, writeIndex: false)
        #expect(outcomes[0].error == nil, "\(outcomes[0].error?.description ?? "")")
        let readme = try String(contentsOf: out.appendingPathComponent("script-vectors/README.md"), encoding: .utf8)
        #expect(readme.range(of: #"(?<!\\)<(script|img|div)"#, options: .regularExpression) == nil, "README.md has a raw tag")
        #expect(readme.contains("$x$"), "math stays for GitHub to render")
        let handout = try String(contentsOf: out.appendingPathComponent("script-vectors/handout.html"), encoding: .utf8)
        #expect(!handout.contains("<script"), "no script in a handout")
        #expect(!handout.contains(" onerror=\""), "no event handler attribute")
        #expect(!handout.contains(" onmouseover=\""))
        #expect(handout.contains("alt=\"x&quot; onerror=&quot;document.title=&#39;PWNED-alt&#39;\"") || handout.contains("alt=\"x&quot; onerror=&quot;document.title='PWNED-alt'\""))
    }

    @Test func markdownKeepsAllowedLinksAndDropsOthers() {
        let md = Prose.markdown("See [docs](https://example.org) and [bad](javascript:alert(1)) and ![p](http://x/p.png).")
        #expect(md.contains("[docs](https://example.org)"))
        #expect(!md.contains("javascript:") && !md.contains("http://x/p.png"), "\(md)")
        #expect(md.contains("bad") && md.contains("p"))
    }

    @Test func unsafeTargetsAndRemoteImagesFailTheBuildWithTheirLine() throws {
        let out = try temporaryDirectory()
        let js = fixtures.appendingPathComponent("lessons/javascript-link.md").path
        let image = fixtures.appendingPathComponent("lessons/remote-image.md").path
        let outcomes = try LessonBuild().run(files: [js, image], output: out.path, writeIndex: true)
        let e1 = try #require(outcomes[0].error)
        #expect(e1.location == "\(js):6:61", "\(e1)")
        #expect(e1.message.contains("'javascript:alert(3)' is not allowed"))
        let e2 = try #require(outcomes[1].error)
        #expect(e2.location == "\(image):6:21", "\(e2)")
        #expect(e2.message.contains("fetched from the network"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "nothing written")
        let r = try CLI.run(["build", js, "-o", out.path])
        #expect(r.status == 2 && r.stderr.contains("javascript-link.md:6:61"), "\(r.stderr)")
    }

    // MARK: Math

    @Test func mathConverterKeepsItsMeaning() {
        #expect(Prose.unicodeMath("\\frac{\\partial f}{\\partial x} = \\sigma(x)(1 - \\sigma(x))") == "∂f/∂x = σ(x)(1 - σ(x))")
        #expect(Prose.mathHTML("\\frac{a + b}{c} \\le \\left(x^{-1}\\right) \\tfrac{1}{2}") == "(a + b)/c ≤ (x<sup>-1</sup>) ½")
        #expect(Prose.mathHTML("e^{s_1} < x_{i,j}") == "e<sup>s<sub>1</sub></sup> &lt; x<sub>i,j</sub>")
        #expect(Prose.unicodeMath("x^2 + y^{2} + z^{10}") == "x² + y² + z^(10)")
        // Unbalanced or deep input is shown, never a crash.
        #expect(Prose.mathHTML("}{\\frac{a}") == ")(frac(a)" || Prose.mathHTML("}{\\frac{a}").contains("a"))
        let deep = String(repeating: "\\frac{", count: 20_000)
        #expect(Prose.mathHTML(deep) == HTML.escape(deep), "deeper than 32 braces: as typed")
        #expect(Prose.mathHTML("a \\") == "a ")
    }
}
