// What per-array bookkeeping costs V8, per one-element Float32Array made (10,000 at a time, kept until the next
// batch, as the tape's results are): a WeakSet entry keyed on the array or on its `.buffer` (reading which moves a
// small array off V8's heap), a WeakMap entry, a plain object beside it; and the caching allocator's hand-out and
// give-back with and without a Set of the cached arrays. Why src/tensor/storage.ts keeps its bits on the NDArray.
// Run: node bench/storage-bookkeeping.mjs   (CPU time per array, all threads: the collector's included)

const N = 10_000, R = 200;
function run(name, f) {
  for (let r = 0; r < 20; r++) f();
  const c0 = process.cpuUsage();
  for (let r = 0; r < R; r++) f();
  const used = process.cpuUsage(c0);
  console.log(`${name.padEnd(40)} ${(((used.user + used.system) * 1000) / (N * R)).toFixed(0).padStart(6)} ns`);
}

let keep = [];
run('new Float32Array(1)', () => { keep = []; for (let i = 0; i < N; i++) keep.push(new Float32Array(1)); });
const ws = new WeakSet();
run('+ WeakSet entry keyed on the array', () => { keep = []; for (let i = 0; i < N; i++) { const a = new Float32Array(1); ws.add(a); keep.push(a); } });
const wb = new WeakSet();
run('+ WeakSet entry keyed on its .buffer', () => { keep = []; for (let i = 0; i < N; i++) { const a = new Float32Array(1); wb.add(a.buffer); keep.push(a); } });
const wm = new WeakMap();
run('+ WeakMap entry array → object', () => { keep = []; for (let i = 0; i < N; i++) { const a = new Float32Array(1); wm.set(a, { state: 0 }); keep.push(a); } });
run('+ a plain object beside it', () => { keep = []; for (let i = 0; i < N; i++) keep.push({ data: new Float32Array(1), state: 0 }); });

function pool(withSet) {
  const free = new Map(), cached = new Set();
  const acquire = (n) => {
    const list = free.get(n);
    if (list !== undefined && list.length > 0) {
      const a = list.pop();
      if (withSet) cached.delete(a);
      a.fill(0);
      return a;
    }
    return new Float32Array(n);
  };
  const release = (a) => {
    if (withSet && cached.has(a)) return;
    let list = free.get(a.length);
    if (list === undefined) free.set(a.length, (list = []));
    list.push(a);
    if (withSet) cached.add(a);
  };
  return () => { const out = []; for (let i = 0; i < N; i++) out.push(acquire(1)); for (const a of out) release(a); };
}
run('allocator hand-out + give-back', pool(false));
run('the same with a Set of cached arrays', pool(true));
