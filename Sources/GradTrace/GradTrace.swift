// The library facade: `import GradTrace` brings the whole pipeline, stage by stage.
// Each stage is its own target and imports only the stages below it (ARCHITECTURE.md).
@_exported import GradTraceCore
@_exported import GradTraceGraphviz
@_exported import GradTraceIO
@_exported import GradTraceViews
@_exported import GradTraceTraining
@_exported import GradTraceRequests
@_exported import GradTraceLessons
