/// The inline CSS of every generated page. Print rules keep each figure on one page and fit
/// both A4 and Letter (the page size is the printer's; margins suit both).
package enum Styles {
    package static let base = """
    :root { --value: #1a7f37; --gradient: #cf222e; --tangent: #0550ae; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0;
      --paper: #ffffff; --code: #f6f8fa; --link: #0969da; --focus: #0969da; color-scheme: light dark; }
    /* Dark: every colour keeps ≥ 4.5:1 on the page (text) and ≥ 3:1 (rules, focus). The circuit
       figures keep their own white card, on which Graphviz's colours were chosen. */
    @media screen and (prefers-color-scheme: dark) {
      :root { --value: #3fb950; --gradient: #ff7b72; --tangent: #79c0ff; --ink: #e6edf3; --muted: #9198a1; --rule: #656c76;
        --paper: #0d1117; --code: #161b22; --link: #4493f8; --focus: #79c0ff; }
      svg.circuit { background: #ffffff; border-radius: 4px; }
    }
    * { box-sizing: border-box; }
    html { background: var(--paper); }
    a { color: var(--link); }
    :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
    @media (prefers-reduced-motion: reduce) {
      *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
    }
    details.wires { font-family: "DejaVu Sans", sans-serif; font-size: 0.85rem; margin: 0.2rem 0 1rem; }
    details.wires summary { cursor: pointer; color: var(--muted); min-height: 24px; }
    details.wires tbody th { font-weight: normal; }
    body { font-family: "DejaVu Serif", Georgia, serif; color: var(--ink); background: var(--paper); max-width: 52rem; margin: 2rem auto; padding: 0 1.2rem; line-height: 1.5; }
    h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.25; }
    h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
    .summary { color: var(--muted); font-style: italic; margin-top: 0; }
    .nav { font-family: "DejaVu Sans", sans-serif; font-size: 0.9rem; }
    code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
    pre { background: var(--code); padding: 0.6rem 0.8rem; border-radius: 4px; overflow-x: auto; }
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
    .tangent { color: var(--tangent); font-style: italic; }
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
      .nav, .controls, details.wires { display: none; }
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
