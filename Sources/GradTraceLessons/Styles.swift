/// The inline CSS of every generated page. Print rules keep each figure on one page and fit
/// both A4 and Letter (the page size is the printer's; margins suit both).
package enum Styles {
    package static let base = """
    :root { --value: #1a7f37; --gradient: #cf222e; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; }
    * { box-sizing: border-box; }
    body { font-family: "DejaVu Serif", Georgia, serif; color: var(--ink); max-width: 52rem; margin: 2rem auto; padding: 0 1.2rem; line-height: 1.5; }
    h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.25; }
    h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
    .summary { color: var(--muted); font-style: italic; margin-top: 0; }
    .nav { font-family: "DejaVu Sans", sans-serif; font-size: 0.9rem; }
    code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
    pre { background: #f6f8fa; padding: 0.6rem 0.8rem; border-radius: 4px; overflow-x: auto; }
    figure { margin: 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
    figcaption { font-family: "DejaVu Sans", sans-serif; font-size: 0.9rem; color: var(--muted); text-align: center; }
    svg.circuit { display: block; max-width: 100%; height: auto; margin: 0 auto; }
    table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.92rem; break-inside: avoid; }
    th, td { border-bottom: 1px solid var(--rule); padding: 0.2rem 0.6rem; text-align: left; }
    table.wide { font-size: 0.78rem; }
    table.wide th, table.wide td { padding: 0.15rem 0.4rem; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .value { color: var(--value); }
    .gradient { color: var(--gradient); font-style: italic; }
    .tangent { color: #0550ae; font-style: italic; }
    .math { font-style: italic; white-space: nowrap; }
    .math.display { display: block; text-align: center; margin: 0.6rem 0; white-space: normal; }
    ol.steps li { margin-bottom: 0.5rem; break-inside: avoid; }
    .gate { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
    .note { color: var(--muted); font-size: 0.9em; }
    .walkthrough { border-left: 3px solid var(--rule); padding-left: 0.9rem; margin: 0.5rem 0 1.5rem; }
    .blank { display: inline-block; min-width: 5.5rem; border-bottom: 1px solid var(--ink); height: 1.1rem; }
    .legend { font-family: "DejaVu Sans", sans-serif; font-size: 0.85rem; color: var(--muted); }
    footer { margin-top: 2rem; font-size: 0.8rem; color: var(--muted); }
    @media print {
      body { margin: 0; max-width: none; font-size: 11pt; }
      .nav, .controls { display: none; }
      a { color: inherit; text-decoration: none; }
      h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
    }
    @page { margin: 14mm 14mm 16mm 14mm; }
    @page turned { size: landscape; margin: 14mm 12mm 16mm 12mm; }
    figure.print-landscape { page: turned; }
    figure.sliced svg.circuit { margin-bottom: 0.2rem; }
    .slice-note { font-family: "DejaVu Sans", sans-serif; font-size: 0.8rem; color: var(--muted); text-align: right; }
    """

    package static let stepper = """
    .controls { font-family: "DejaVu Sans", sans-serif; display: flex; gap: 0.6rem; align-items: center; margin: 1rem 0; }
    .controls button { font-size: 1rem; padding: 0.3rem 0.9rem; }
    .frame h2 { font-size: 1.1rem; margin-bottom: 0.3rem; }
    .frame .line { font-family: "DejaVu Sans Mono", monospace; font-size: 1.15rem; line-height: 1.6; }
    .frame[hidden] { display: none; }
    body:has(.frame) { max-width: none; }
    .frame svg.circuit { width: 100%; height: auto; max-height: calc(100vh - 11rem); }
    """
}
