// The inference server (examples/serve.ts) under bad input on loopback: truncated JSON, wrong shapes, NaN,
// huge numbers, too many rows, a 100 MB body, slow clients past the concurrency limit; it keeps answering.

import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import * as tg from 'tapegrad';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, servePredictions } from '../examples/serve.js';

let running: RunningServer;
let model: tg.Model;
const logs: string[] = [];

beforeAll(async () => {
  tg.manualSeed(5);
  model = tg.sequential([tg.layers.dense({ units: 3, activation: 'softmax', inputShape: [2, 2] })]);
  // flatten is implied by the shape check: the model takes [N, 2, 2] and Dense acts on the last dim
  running = await servePredictions(model, 12.5, {
    port: 0, maxBodyBytes: 64 * 1024, maxConcurrent: 2, maxRows: 8, requestTimeoutMs: 800, log: (l) => logs.push(l),
  });
});
afterAll(async () => {
  await running.close();
});

async function post(body: string, path = '/predict'): Promise<{ status: number; json: any }> {
  const res = await fetch(running.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, json: await res.json() };
}

const row = [[0.1, 0.2], [0.3, 0.4]];

describe('serve: answers', () => {
  it('predicts as the model does, and reports its load time', async () => {
    const { status, json } = await post(JSON.stringify({ inputs: [row, [[1, 0], [0, 1]]] }));
    expect(status).toBe(200);
    const ref = tg.noGrad(() => model.call(tg.tensor([row, [[1, 0], [0, 1]]])));
    const got = tg.tensor(json.outputs);
    expect(got.sub(ref).abs().max().item()).toBeLessThan(1e-6);
    expect(json.predictions).toBeUndefined(); // output [2, 2, 3] is not a row of class scores
    const health = await (await fetch(`${running.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', loadMs: 12.5, inputShape: [2, 2], outputShape: [2, 3] });
  });

  it('listens on loopback by default', () => {
    expect(running.url.startsWith('http://127.0.0.1:')).toBe(true);
  });
});

describe('serve: bad input gets a 4xx with a reason, never a crash', () => {
  const cases: [string, string, number, RegExp][] = [
    ['truncated JSON', '{"inputs": [[[0.1, 0.2], [0.3', 400, /not valid JSON/],
    ['not an object', '[1, 2]', 400, /must be a JSON object/],
    ['no inputs', '{}', 400, /"inputs" must be a non-empty array/],
    ['a row of the wrong shape', JSON.stringify({ inputs: [[0.1, 0.2, 0.3, 0.4]] }), 400, /inputs\[0\] must be an array of 2 \(input shape \[2, 2\]\), got 4 items/],
    ['a short inner dim', JSON.stringify({ inputs: [[[0.1], [0.3, 0.4]]] }), 400, /inputs\[0\]\[0\] must be an array of 2 .*got 1 items/],
    ['NaN as a string', '{"inputs": [[["NaN", 0.2], [0.3, 0.4]]]}', 400, /inputs\[0\]\[0\]\[0\] must be a number, got string/],
    ['null', '{"inputs": [[[null, 0.2], [0.3, 0.4]]]}', 400, /must be a number, got null/],
    ['a number that overflows to Infinity', '{"inputs": [[[1e999, 0.2], [0.3, 0.4]]]}', 400, /is not finite/],
    ['a huge finite number', '{"inputs": [[[1e300, 0.2], [0.3, 0.4]]]}', 400, /beyond the accepted magnitude/],
    ['too many rows', JSON.stringify({ inputs: Array.from({ length: 9 }, () => row) }), 413, /9 rows; the limit is 8/],
  ];
  it.each(cases)('%s', async (_name, body, status, message) => {
    const r = await post(body);
    expect(r.status).toBe(status);
    expect(r.json.error).toMatch(message);
  });

  it('unknown routes and methods', async () => {
    expect((await post('{}', '/nope')).status).toBe(404);
    expect((await fetch(`${running.url}/predict`)).status).toBe(405);
  });

  it('a malformed request line gets 400 from the parser, and the server goes on', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = connect(Number(new URL(running.url).port), '127.0.0.1');
      let text = '';
      s.on('data', (d) => { text += d.toString(); });
      s.on('close', () => resolve(text));
      s.on('error', () => resolve(text));
      s.write('GARBAGE \x00\x01 nonsense\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1.1 400/);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });
});

describe('serve: limits', () => {
  it('a declared 100 MB body is refused with 413 before it is read', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${running.url}/predict`, { method: 'POST', headers: { 'content-length': String(100 * 2 ** 20) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"inputs": [');
    });
    expect(status).toBe(413);
  });

  it('a streamed 100 MB body (chunked) is cut off with 413 long before the end', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x20); // 1 MiB of spaces (valid JSON whitespace)
    const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve) => {
      let sent = 0;
      let status = 0;
      const req = request(`${running.url}/predict`, { method: 'POST' }, (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => { req.destroy(); resolve({ status, sent }); });
      });
      req.on('error', () => resolve({ status, sent })); // the server may close the socket while we still write
      const pump = () => {
        while (sent < 100 * 2 ** 20 && status === 0) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (status === 0) req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThanOrEqual(100 * 2 ** 20);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });

  it('slow clients hold their slots until the request timeout (408); past the limit others get 503', async () => {
    const port = Number(new URL(running.url).port);
    const slow: Socket[] = [];
    const replies: Promise<string>[] = [];
    for (let i = 0; i < 2; i++) {
      const s = connect(port, '127.0.0.1');
      slow.push(s);
      replies.push(new Promise((resolve) => {
        let text = '';
        s.on('data', (d) => { text += d.toString(); });
        s.on('close', () => resolve(text));
        s.on('error', () => resolve(text));
      }));
      // headers and the first bytes of a body, then nothing more
      s.write('POST /predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"inp');
    }
    await new Promise((r) => setTimeout(r, 150));
    const busy = await post(JSON.stringify({ inputs: [row] }));
    expect(busy.status).toBe(503);
    expect(busy.json.error).toMatch(/busy: 2 requests in flight \(limit 2\)/);
    const texts = await Promise.all(replies); // Node's request timeout answers them and closes
    for (const t of texts) expect(t).toMatch(/^HTTP\/1.1 408/);
    const ok = await post(JSON.stringify({ inputs: [row] }));
    expect(ok.status).toBe(200);
    expect(logs.filter((l) => l.includes('unexpected'))).toEqual([]);
  });
});
