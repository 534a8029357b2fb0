// tg.plot: training curves, line charts and decision boundaries as SVG strings (no DOM, no canvas, no files).
// Write them with fs.writeFileSync in Node, or put them in a page with innerHTML; they open in any browser.

export { historySvg, type HistoryLike, type HistorySvgOptions } from './history.js';
export { chartPanel, lineChartSvg, lossCurvesSvg, type Box, type ChartOptions, type Series } from './chart.js';
export { decisionBoundarySvg, type DecisionBoundaryOptions, type Predictor } from './boundary.js';
export { escapeXml, linearScale, logScale, niceTicks, PALETTE } from './svg.js';
export { attentionSvg, type AttentionSvgOptions } from './attention.js';
export {
  confusionMatrixSvg, corruptionSvg, precisionRecallSvg, type CorruptionResultLike, reliabilityDiagramSvg, robustnessCurveSvg, rocCurveSvg, type RobustnessSeries, type ConfusionMatrixSvgOptions, type NamedCurve,
  type ReliabilityLike,
} from './metrics.js';
export { modelGraph, type ModelGraphData, type ModelGraphOptions } from './model-graph.js';
