// Whether dist/ needs `npm run build`: missing, or older than some file under src/.
// Used by the benchmark's import-time row and by test/package.test.ts before they load dist/.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time (ms) of any file under dir. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when root/dist/index.js is missing or older than the newest file under root/src. */
export function distIsStale(root: string): boolean {
  const index = join(root, 'dist', 'index.js');
  return !existsSync(index) || statSync(index).mtimeMs < newestMtime(join(root, 'src'));
}
