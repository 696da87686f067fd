/// The inline CSS of every generated page, from `Resources/` (compiled into the binary). Print
/// rules keep each figure on one page and fit both A4 and Letter (the page size is the
/// printer's; margins suit both).
package enum Styles {
    /// Every page's stylesheet (`Resources/page.css`).
    package static let base = resourceText(PackageResources.page_css)

    /// The stepper's controls and frames (`Resources/stepper.css`).
    package static let stepper = resourceText(PackageResources.stepper_css)

    /// The stepper's script: arrow keys, buttons and the #N of the frame shown (`Resources/stepper.js`).
    package static let stepperScript = resourceText(PackageResources.stepper_js)
}

/// A resource file's text, without the one newline that ends the file.
package func resourceText(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
}
