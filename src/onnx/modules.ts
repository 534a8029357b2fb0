// Modules exported whole, as one ONNX operator, when their ops cannot be read one by one: e.g. a layer whose
// forward computes an index from the input's values with a kernel (that index would be frozen by a trace).
// Keyed by class name; each entry writes the nodes from the module's inputs to its output.

import type { EmitContext } from './ops.js';

/** ONNX nodes for whole modules, by class name (the exporter does not look inside these). */
export const MODULE_EMITTERS: Record<string, (e: EmitContext, module: object) => void> = {};
