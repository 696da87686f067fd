import GradTraceIO
import GradTraceViews
/// `output/README.md` and `output/index.html`: every lesson with links to its pages.
package enum LessonIndex {
    /// One lesson in the index.
    package struct Entry: Sendable {
        /// Its output folder.
        package var slug: String
        /// Its title.
        package var title: String
        /// Its summary sentence, if it has one.
        package var summary: String?
        /// The pages it has (`README.md`, `handout.html`, …): they decide its links.
        package var files: [String]

        /// An entry from its parts.
        package init(slug: String, title: String, summary: String?, files: [String]) {
            self.slug = slug
            self.title = title
            self.summary = summary
            self.files = files
        }
    }

    package static let pages: [(String, String)] = [("walkthrough", "README.md"), ("handout", "handout.html"), ("worksheet", "worksheet.html"),
                                            ("answer key", "answer-key.html"), ("stepper", "stepper.html")]

    /// The index pages of these lessons, in this order: `README.md` and `index.html`.
    package static func files(_ entries: [Entry]) -> [OutputFile] {
        [OutputFile(path: "README.md", text: markdown(entries)), OutputFile(path: "index.html", text: html(entries))]
    }

    package static func markdown(_ entries: [Entry]) -> String {
        var out = "# GradTrace lessons\n\nBuilt by `gradtrace build lessons -o output` from the sources in `lessons/`. Do not edit by hand.\n\n"
        out += "| lesson | pages |\n|---|---|\n"
        for e in entries {
            let title = "[\(escapeMarkdown(e.title))](\(e.slug)/README.md)" + (e.summary.map { "<br>" + escapeMarkdown($0) } ?? "")
            let links = pages.dropFirst().filter { e.files.contains($0.1) }.map { "[\($0.0)](\(e.slug)/\($0.1))" }
            out += "| \(title) | \(links.joined(separator: " · ")) |\n"
        }
        return out
    }

    package static func html(_ entries: [Entry]) -> String {
        var body = "<h1>GradTrace lessons</h1>\n<p class=\"summary\">Every lesson with its walkthrough and printable handout, and, where the lesson has them, its worksheet with an answer key and its stepper.</p>\n<ol>\n"
        for e in entries {
            body += "<li>" + HTML.text("strong", [], e.title)
            if let s = e.summary { body += "<br>" + HTML.escape(s) }
            let links = pages.filter { e.files.contains($0.1) }.map { HTML.text("a", [("href", "\(e.slug)/\($0.1)")], $0.0) }
            body += "<br><span class=\"nav\">" + links.joined(separator: " · ") + "</span></li>\n"
        }
        body += "</ol>\n"
        return HTML.page(title: "GradTrace lessons", css: Styles.base, body: body)
    }
}
