// tg.onnx.exportModel: a model's forward pass, traced in eval mode, written as an ONNX ModelProto.
// Dynamic dims are found by tracing again with each dynamic input dim one larger and comparing shapes.

import type { Tensor } from '../autograd/tensor.js';
import type { CompositeInfo, TracedOp } from '../autograd/trace.js';
import type { Module } from '../nn/module.js';
import { NDArray } from '../tensor/ndarray.js';
import { fmtShape } from '../tensor/shape.js';
import { capture, type CapturedGraph, describeValue } from './capture.js';
import { COMPOSITE_EMITTERS, MODULE_EMITTERS } from './modules.js';
import { type DimExpr, type EmitContext, isStaticDim, PRIMITIVE_EMITTERS, UNTRACKED_EMITTERS } from './ops.js';
import { type AttrValue, modelProto, type NodeSpec, ONNX_DTYPE, type TensorSpec, type ValueSpec } from './proto.js';

/** Options of {@link exportModel}, named as torch.onnx.export's. */
export interface ExportOptions {
  /** The default-domain opset, 13 to 21 (default 17). */
  opset?: number;
  /** Names of the graph inputs (default 'input', or 'input_0', 'input_1', ... for several). */
  inputNames?: string[];
  /** The name of the graph output (default ['output']). */
  outputNames?: string[];
  /**
   * Dims that may vary, by input or output name: `{ input: { 0: 'batch' } }` or `{ input: [0] }`.
   * Input dims listed here are traced at two sizes; output dims that follow them are found automatically
   * (an output entry only names them).
   */
  dynamicAxes?: Record<string, Record<number, string> | number[]>;
  /** Free text stored as the model's doc_string. */
  docString?: string;
}

/** An export failure: an op with no ONNX mapping, or a graph that cannot be written as asked. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

const IR_FOR_OPSET = (opset: number): number => (opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

interface DynamicDim { input: number; axis: number; name: string }
/** One symbol (a dim name): every (input, axis) that carries it, resized together in the traces. */
interface DynamicSymbol { name: string; dims: DynamicDim[] }

function checkOptions(options: ExportOptions, nInputs: number): Required<Omit<ExportOptions, 'docString'>> & { dynamic: DynamicDim[]; symbols: DynamicSymbol[] } {
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) throw new OnnxExportError(`exportModel: opset must be an integer from 13 to 21, got ${String(opset)}`);
  const inputNames = options.inputNames ?? (nInputs === 1 ? ['input'] : Array.from({ length: nInputs }, (_, i) => `input_${i}`));
  const outputNames = options.outputNames ?? ['output'];
  if (inputNames.length !== nInputs) throw new OnnxExportError(`exportModel: ${inputNames.length} inputNames for ${nInputs} sample inputs`);
  if (outputNames.length !== 1) throw new OnnxExportError(`exportModel: the model has one output, got ${outputNames.length} outputNames`);
  const all = [...inputNames, ...outputNames];
  for (const n of all) if (typeof n !== 'string' || n === '') throw new OnnxExportError(`exportModel: names must be non-empty strings, got ${JSON.stringify(n)}`);
  if (new Set(all).size !== all.length) throw new OnnxExportError(`exportModel: input and output names must be distinct, got ${JSON.stringify(all)}`);
  const dynamicAxes = options.dynamicAxes ?? {};
  const dynamic: DynamicDim[] = [];
  for (const [key, spec] of Object.entries(dynamicAxes)) {
    const input = inputNames.indexOf(key);
    if (input < 0 && !outputNames.includes(key)) throw new OnnxExportError(`exportModel: dynamicAxes names ${JSON.stringify(key)}, which is neither an input nor the output`);
    const entries: [number, string][] = Array.isArray(spec)
      ? spec.map((a) => [a, `${key}_dim${a}`])
      : Object.entries(spec).map(([a, n]) => [Number(a), n]);
    for (const [axis, name] of entries) {
      if (!Number.isInteger(axis) || axis < 0) throw new OnnxExportError(`exportModel: dynamicAxes[${JSON.stringify(key)}] has a bad axis ${String(axis)}`);
      if (input >= 0) dynamic.push({ input, axis, name });
    }
  }
  const symbols: DynamicSymbol[] = [];
  for (const d of dynamic) {
    const sym = symbols.find((x) => x.name === d.name);
    if (sym) sym.dims.push(d);
    else symbols.push({ name: d.name, dims: [d] });
  }
  return { opset, inputNames, outputNames, dynamicAxes, dynamic, symbols };
}

/** The sample with dim `axis` one larger (max(size, 2) + 1 overall), its values rotated so they differ too. */
function resized(x: Tensor, axis: number, size: number, make: (v: NDArray) => Tensor): Tensor {
  const n = x.shape[axis];
  const shape = [...x.shape];
  shape[axis] = size;
  const out = NDArray.zeros(shape, x.dtype);
  const src = x.value;
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < out.size; k++) {
    let rem = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    const from = [...idx];
    from[axis] = (idx[axis] + 1) % n;
    out.data[k] = src.get(from);
  }
  return make(out);
}

/** The same shape with the values moved by one place (so anything computed from the values changes). */
function rotatedValues(x: Tensor, make: (v: NDArray) => Tensor): Tensor {
  const src = x.value.values();
  const out = NDArray.zeros(x.shape, x.dtype);
  for (let k = 0; k < src.length; k++) out.data[k] = src[(k + 1) % src.length];
  return make(out);
}

const attrKey = (op: TracedOp): string => JSON.stringify(op.attrs, (_, v) => (v instanceof NDArray ? [v.shape, Array.from(v.values())] : ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v));

/**
 * Exports a model to ONNX by tracing one forward pass on `sampleInput` in eval mode (Dropout off, stored
 * statistics): each op the pass runs becomes ONNX nodes, parameters become initializers named by their
 * stateDict keys. Returns the bytes of the .onnx file. Throws an {@link OnnxExportError} naming the op and
 * the module it ran in when an op has no ONNX form.
 * @example
 * ```ts
 * const net = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2));
 * const bytes = tg.onnx.exportModel(net, tg.randn([3, 4]), { dynamicAxes: { input: { 0: 'batch' } } });
 * // bytes.length > 0: write them to model.onnx, or load them in onnxruntime
 * ```
 */
export function exportModel(model: Module, sampleInput: Tensor | Tensor[], options: ExportOptions = {}): Uint8Array {
  const samples = Array.isArray(sampleInput) ? sampleInput : [sampleInput];
  if (typeof (model as Partial<Module> | null)?.call !== 'function' || typeof (model as Module).namedModules !== 'function') {
    throw new OnnxExportError('exportModel: expected an nn Module or a Keras-style Model');
  }
  const opts = checkOptions(options, samples.length);
  const make = (v: NDArray) => new (samples[0].constructor as new (v: NDArray) => Tensor)(v);
  for (const d of opts.dynamic) {
    if (d.axis >= samples[d.input].ndim) throw new OnnxExportError(`exportModel: dynamic axis ${d.axis} of input '${opts.inputNames[d.input]}' with shape ${fmtShape(samples[d.input].shape)}`);
  }
  // trace at sizes ≥ 2 on dynamic dims, so an op that vanishes at size 1 (a no-op expand) is not missed
  const base = samples.map((x, i) => {
    let t = x;
    for (const d of opts.dynamic) if (d.input === i && t.shape[d.axis] < 2) t = resized(t, d.axis, 2, make);
    return t;
  });
  const modules = model.namedModules();
  const flags = modules.map(([, m]) => m.training);
  // parameters and buffers (BatchNorm's running statistics) become initializers named by their state-dict keys
  const withBuffers = model as unknown as { namedBuffers?: () => [string, Tensor][] };
  const buffers = typeof withBuffers.namedBuffers === 'function' ? withBuffers.namedBuffers() : [];
  const paramNames = new Map<Tensor, string>([...model.namedParameters(), ...buffers].map(([n, p]) => [p, n]));
  const forward = (...xs: Tensor[]) => model.call(...xs);
  // a composite (traceComposite) by its kind, a module by its class name, when an emitter knows it
  const moduleOp = (owner: object): string | null => {
    const kind = (owner as Partial<CompositeInfo>).composite;
    if (typeof kind === 'string') return Object.hasOwn(COMPOSITE_EMITTERS, kind) ? `composite:${kind}` : null;
    return Object.hasOwn(MODULE_EMITTERS, owner.constructor.name) ? owner.constructor.name : null;
  };
  let graphs: CapturedGraph[];
  let byValues: CapturedGraph;
  try {
    model.eval();
    graphs = [capture(forward, base, paramNames, moduleOp)];
    byValues = capture(forward, base.map((x) => rotatedValues(x, make)), paramNames, moduleOp);
    for (const sym of opts.symbols) {
      const varied = base.map((x, i) => {
        let t = x;
        for (const d of sym.dims) if (d.input === i) t = resized(t, d.axis, t.shape[d.axis] + 1, make);
        return t;
      });
      graphs.push(capture(forward, varied, paramNames, moduleOp));
    }
  } finally {
    modules.forEach(([, m], i) => { m.training = flags[i]; });
  }
  const names = new Map<object, string>(modules.map(([n, m]) => [m, n === '' ? '(the model)' : `'${n}' (${m.constructor.name})`]));
  const placeOf = (scope: readonly object[]): string => {
    for (let i = scope.length - 1; i >= 0; i--) {
      const n = names.get(scope[i]);
      if (n) return n;
    }
    return '(the model)';
  };
  for (const sym of opts.symbols) {
    const sizes = new Set(sym.dims.map((d) => base[d.input].shape[d.axis]));
    if (sizes.size > 1) throw new OnnxExportError(`exportModel: the dims named '${sym.name}' have different sizes in the sample inputs`);
  }
  sameGraph(graphs[0], byValues, placeOf, 'values');
  const dims = dimExprs(graphs, base, opts.symbols, placeOf);
  return write(graphs[0], dims, base, opts, options.docString ?? '', placeOf, paramNames);
}

/**
 * Checks that a trace on other input values ran the same ops with the same attributes and constants: an index
 * or a constant computed from the values outside the tape (which export would freeze) is an error naming it.
 */
function sameGraph(g0: CapturedGraph, g: CapturedGraph, placeOf: (s: readonly object[]) => string, what: 'values'): void {
  g0.values.forEach((v, id) => {
    const w = g.values[id];
    const same = g.values.length === g0.values.length && w !== undefined && w.source.kind === v.source.kind &&
      (v.source.kind !== 'op' || (w.source.kind === 'op' && w.source.op.op === v.source.op.op && w.inputIds.join() === v.inputIds.join()));
    if (!same) throw new OnnxExportError(`exportModel: the forward pass runs different ops for other input ${what} (at ${describeValue(v, placeOf)}); a graph cannot follow that`);
    if (v.source.kind === 'constant' && !constantsEqual(v.tensor, w.tensor)) {
      throw new OnnxExportError(`exportModel: ${describeValue(v, placeOf)} is computed from the input's ${what} outside the tape, so export would freeze it; build it with tensor ops`);
    }
    if (v.source.kind === 'op' && w.source.kind === 'op' && attrKey(v.source.op) !== attrKey(w.source.op)) {
      throw new OnnxExportError(`exportModel: the attributes of ${describeValue(v, placeOf)} are computed from the input's ${what} outside the tape (an index from a kernel?), so export would freeze them`);
    }
  });
}

/** Every value's dims as expressions in the dynamic dims, from the base trace and one trace per dynamic dim. */
function dimExprs(graphs: CapturedGraph[], base: readonly Tensor[], symbols: readonly DynamicSymbol[], placeOf: (s: readonly object[]) => string): DimExpr[][] {
  const [g0, ...rest] = graphs;
  const sizes = symbols.map((s) => base[s.dims[0].input].shape[s.dims[0].axis]);
  return g0.values.map((v, id) => {
    for (const g of rest) {
      const w = g.values[id];
      const same = w !== undefined && w.source.kind === v.source.kind && w.tensor.ndim === v.tensor.ndim &&
        (v.source.kind !== 'op' || (w.source.kind === 'op' && w.source.op.op === v.source.op.op && w.inputIds.join() === v.inputIds.join()));
      if (!same || g.values.length !== g0.values.length) {
        throw new OnnxExportError(`exportModel: the forward pass runs different ops when a dynamic dim changes size (at ${describeValue(v, placeOf)}); export with static shapes`);
      }
      if (v.source.kind === 'constant' && !constantsEqual(v.tensor, w.tensor)) {
        throw new OnnxExportError(
          `exportModel: ${describeValue(v, placeOf)} changes with the input, but was made outside the tape (used by the op after it); ` +
          'build it from the input with tensor ops, or export with static shapes',
        );
      }
      if (v.source.kind === 'op' && w.source.kind === 'op' && attrKey(v.source.op) !== attrKey(w.source.op) && !['reshape', 'expand', 'slice'].includes(v.source.op.op)) {
        throw new OnnxExportError(`exportModel: the attributes of ${describeValue(v, placeOf)} depend on a dynamic dim; export with static shapes`);
      }
    }
    return v.tensor.shape.map((n, axis) => {
      const coeffs = rest.map((g) => g.values[id].tensor.shape[axis] - n);
      const c0 = n - coeffs.reduce((s, c, j) => s + c * sizes[j], 0);
      return { c0, coeffs };
    });
  });
}

function constantsEqual(a: Tensor, b: Tensor): boolean {
  if (a === b) return true;
  if (a.shape.join() !== b.shape.join()) return false;
  const x = a.value.values();
  const y = b.value.values();
  for (let i = 0; i < x.length; i++) if (!(x[i] === y[i] || (Number.isNaN(x[i]) && Number.isNaN(y[i])))) return false;
  return true;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function rawFloats(t: Tensor): Uint8Array {
  const v = t.value.values();
  if (littleEndian) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  const out = new Uint8Array(v.length * v.BYTES_PER_ELEMENT);
  const dv = new DataView(out.buffer);
  v.forEach((x, i) => (t.dtype === 'float64' ? dv.setFloat64(i * 8, x, true) : dv.setFloat32(i * 4, x, true)));
  return out;
}

function rawInt64(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((x, i) => dv.setBigInt64(i * 8, BigInt(x), true));
  return out;
}

/** Turns the base trace into nodes and initializers, then into bytes. */
function write(
  g: CapturedGraph, dims: DimExpr[][], base: readonly Tensor[], opts: ReturnType<typeof checkOptions>, docString: string,
  placeOf: (s: readonly object[]) => string, paramNames: ReadonlyMap<Tensor, string>,
): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  const used = new Set<string>([...opts.inputNames, ...opts.outputNames]);
  const fresh = (hint: string): string => {
    let n = hint;
    for (let k = 1; used.has(n); k++) n = `${hint}_${k}`;
    used.add(n);
    return n;
  };
  const intConsts = new Map<string, string>();
  const ints = (values: readonly number[]): string => {
    const key = values.join(',');
    let name = intConsts.get(key);
    if (!name) {
      name = fresh(`onnx::ints_${intConsts.size}`);
      initializers.push({ name, dataType: ONNX_DTYPE.int64, dims: [values.length], raw: rawInt64(values) });
      intConsts.set(key, name);
    }
    return name;
  };
  const addNode = (opType: string, inputs: readonly string[], attrs: Record<string, AttrValue>, outputs: string[]) => {
    nodes.push({ opType, inputs, outputs, attrs, name: fresh(`/${opType}_${nodes.length}`) });
  };
  // a dynamic dim's size as an int64 [1] tensor: Shape(input) gathered at the axis, computed once
  const dynNames = new Map<number, string>();
  const dynDim = (j: number): string => {
    let n = dynNames.get(j);
    if (!n) {
      const d = opts.symbols[j].dims[0];
      const shape = fresh(`/${opts.inputNames[d.input]}_shape`);
      addNode('Shape', [opts.inputNames[d.input]], {}, [shape]);
      n = fresh(`/${d.name}`);
      addNode('Gather', [shape, ints([d.axis])], { axis: { int: 0 } }, [n]);
      dynNames.set(j, n);
    }
    return n;
  };
  const dimTensor = (d: DimExpr): string => {
    if (isStaticDim(d)) return ints([d.c0]);
    let acc: string | null = null;
    d.coeffs.forEach((c, j) => {
      if (c === 0) return;
      let term = dynDim(j);
      if (c !== 1) {
        const m = fresh('/dim_mul');
        addNode('Mul', [term, ints([c])], {}, [m]);
        term = m;
      }
      if (acc === null) acc = term;
      else {
        const s = fresh('/dim_add');
        addNode('Add', [acc, term], {}, [s]);
        acc = s;
      }
    });
    if (d.c0 !== 0) {
      const s = fresh('/dim_add');
      addNode('Add', [acc!, ints([d.c0])], {}, [s]);
      acc = s;
    }
    return acc!;
  };
  const shapeTensor = (list: readonly DimExpr[]): string => {
    if (list.every(isStaticDim)) return ints(list.map((d) => d.c0));
    const out = fresh('/shape');
    addNode('Concat', list.map(dimTensor), { axis: { int: 0 } }, [out]);
    return out;
  };

  const valueName: string[] = [];
  // a module or composite call writes all its outputs once; its later values only look their names up
  const outSrc = g.values[g.outputId].source;
  const callNames = new Map<object, (k: number) => string>();
  const namesFor = (call: object, name: string): ((k: number) => string) => {
    const got = new Map<number, string>();
    return (k) => {
      let n = got.get(k);
      if (n === undefined) {
        n = outSrc.kind === 'module' && outSrc.call === call && outSrc.outputIndex === k ? opts.outputNames[0] : fresh(`/${name}_out${k}`);
        got.set(k, n);
      }
      return n;
    };
  };
  const initialized = new Map<Tensor, string>();
  const initializer = (t: Tensor, name: string): string => {
    const known = initialized.get(t);
    if (known !== undefined) return known;
    used.add(name);
    initialized.set(t, name);
    initializers.push({ name, dataType: ONNX_DTYPE[t.dtype], dims: t.shape, raw: rawFloats(t) });
    return name;
  };
  g.values.forEach((v, id) => {
    const s = v.source;
    if (s.kind === 'input') {
      valueName[id] = opts.inputNames[s.index];
      return;
    }
    if (s.kind === 'parameter' || s.kind === 'constant') {
      valueName[id] = initializer(v.tensor, s.kind === 'parameter' ? s.name : fresh(`onnx::const_${id}`));
      return;
    }
    const opName = s.kind === 'op' ? s.op.op : s.name;
    let outputOf: ((k: number) => string) | null = null;
    if (s.kind === 'module') {
      const known = callNames.get(s.call);
      if (known) {
        valueName[id] = known(s.outputIndex);
        return;
      }
      outputOf = namesFor(s.call, s.name.replace('composite:', ''));
      callNames.set(s.call, outputOf);
    }
    const out = outputOf ? outputOf(s.kind === 'module' ? s.outputIndex : 0) : id === g.outputId ? opts.outputNames[0] : fresh(`/${opName}_${id}`);
    valueName[id] = out;
    const fail = (reason: string): never => {
      throw new OnnxExportError(`exportModel: cannot export ${describeValue(v, placeOf)}: ${reason}`);
    };
    const ctx: EmitContext = {
      opset: opts.opset,
      input: (i) => valueName[v.inputIds[i]],
      inputCount: v.inputIds.length,
      inputDims: (i) => dims[v.inputIds[i]],
      inputShape: (i) => g.values[v.inputIds[i]].tensor.shape,
      outputDims: dims[id],
      dtype: v.tensor.dtype,
      final: (opType, inputs, attrs = {}) => addNode(opType, inputs, attrs, [out]),
      tmp: (opType, inputs, attrs = {}) => {
        const t = fresh(`/${opType}_tmp`);
        addNode(opType, inputs, attrs, [t]);
        return t;
      },
      ints,
      scalar: (x) => {
        const name = fresh('onnx::scalar');
        const t = new (v.tensor.constructor as new (a: NDArray) => Tensor)(NDArray.fromData(v.tensor.dtype === 'float64' ? Float64Array.of(x) : v.tensor.dtype === 'int32' ? Int32Array.of(x) : Float32Array.of(x), []));
        initializers.push({ name, dataType: ONNX_DTYPE[v.tensor.dtype], dims: [], raw: rawFloats(t) });
        return name;
      },
      shapeTensor,
      output: (k) => (outputOf ? outputOf(k) : k === 0 ? out : fail(`an op has one output, asked for output ${k}`)),
      fresh,
      node: (opType, inputs, attrs, outputs) => addNode(opType, inputs, attrs, [...outputs]),
      constant: (t, hint) => {
        const name = fresh(`onnx::${hint}`);
        initializers.push({ name, dataType: ONNX_DTYPE[t.dtype], dims: t.shape, raw: rawFloats(t) });
        return name;
      },
      param: (t) => {
        const name = paramNames.get(t);
        if (name === undefined) return fail('a module exported whole uses a tensor that is neither a parameter nor a buffer');
        return initializer(t, name);
      },
      fail,
    };
    if (s.kind === 'module') {
      if (s.name.startsWith('composite:')) {
        const info = s.owner as CompositeInfo;
        COMPOSITE_EMITTERS[info.composite](ctx, info.attrs);
      } else MODULE_EMITTERS[s.name](ctx, s.owner);
      return;
    }
    const emitter = (PRIMITIVE_EMITTERS as Record<string, ((e: EmitContext, a: unknown) => void) | undefined>)[opName]
      ?? (UNTRACKED_EMITTERS as Record<string, ((e: EmitContext, a: unknown) => void) | undefined>)[opName];
    if (!emitter) fail(`the primitive '${opName}' has no ONNX mapping (src/onnx/ops.ts)`);
    else emitter(ctx, s.op.attrs);
  });
  // the output is an input or a weight itself (an identity model): copy it under the output's name
  const outSource = g.values[g.outputId].source.kind;
  if (outSource !== 'op' && outSource !== 'module') addNode('Identity', [valueName[g.outputId]], {}, [opts.outputNames[0]]);

  const dynamicName = (d: DimExpr, fallback: string): number | string => {
    if (isStaticDim(d)) return d.c0;
    const only = d.coeffs.findIndex((c) => c !== 0);
    if (d.c0 === 0 && d.coeffs.every((c, j) => (j === only ? c === 1 : c === 0))) return opts.symbols[only].name;
    return fallback;
  };
  const inputs: ValueSpec[] = base.map((x, i) => ({
    name: opts.inputNames[i],
    elemType: ONNX_DTYPE[x.dtype],
    dims: x.shape.map((n, axis) => opts.dynamic.find((d) => d.input === i && d.axis === axis)?.name ?? n),
  }));
  const outName = opts.outputNames[0];
  const outSpec = opts.dynamicAxes[outName];
  const outNamed = (axis: number): string | undefined => (Array.isArray(outSpec) ? (outSpec.includes(axis) ? `${outName}_dim${axis}` : undefined) : outSpec?.[axis]);
  const outTensor = g.values[g.outputId].tensor;
  const outputs: ValueSpec[] = [{
    name: outName,
    elemType: ONNX_DTYPE[outTensor.dtype],
    dims: dims[g.outputId].map((d, axis) => (isStaticDim(d) ? d.c0 : outNamed(axis) ?? dynamicName(d, `${outName}_dim${axis}`))),
  }];
  return modelProto({
    irVersion: IR_FOR_OPSET(opts.opset), opset: opts.opset, producerName: 'tapegrad', producerVersion: '0.1.0',
    graphName: 'tapegrad', nodes, initializers, inputs, outputs, docString,
  });
}
