// Node-only file access for tg.save / tg.load and model.save / tg.loadModel, imported dynamically so
// browsers never load it. Only a plain file name inside a (resolved) directory is touched; symlinks are refused.

import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ModelLoadError, type ModelLoadErrorCode } from './errors.js';

function fail(code: ModelLoadErrorCode, message: string): never {
  throw new ModelLoadError(code, message);
}

const errCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

function checkDirArg(dir: unknown, where: string): string {
  if (typeof dir !== 'string' || dir === '' || dir.includes('\0')) fail('BAD_INPUT', `${where}: the directory must be a non-empty path string`);
  return dir;
}

/** The real path of an existing directory (symlinks in the path the caller gave are theirs to choose). */
async function realDir(dir: string, where: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(path.resolve(dir));
  } catch (e) {
    if (errCode(e) === 'ENOENT') fail('NOT_FOUND', `${where}: no directory ${JSON.stringify(dir)}`);
    return fail('IO_ERROR', `${where}: cannot resolve ${JSON.stringify(dir)} (${errCode(e) ?? String(e)})`);
  }
  const st = await fs.stat(real);
  if (!st.isDirectory()) fail('BAD_PATH', `${where}: ${JSON.stringify(dir)} is not a directory`);
  return real;
}

/** The path of a plain file name (no separators, not '.' or '..') inside the real directory, checked to stay inside it. */
function inside(real: string, name: string, where: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) fail('BAD_PATH', `${where}: ${JSON.stringify(name)} is not a plain file name`);
  const full = path.join(real, name);
  const rel = path.relative(real, full);
  if (rel !== name) fail('BAD_PATH', `${where}: ${JSON.stringify(name)} resolves outside the model directory`);
  return full;
}

/** Reads dir/name: a regular file (not a symlink) of at most maxBytes bytes; `where` names the caller in errors. */
export async function readFileChecked(dir: string, name: string, maxBytes: number, where: string): Promise<Uint8Array> {
  const real = await realDir(checkDirArg(dir, where), where);
  const full = inside(real, name, where);
  let st;
  try {
    st = await fs.lstat(full);
  } catch (e) {
    if (errCode(e) === 'ENOENT') fail('NOT_FOUND', `${where}: ${name} is missing from ${JSON.stringify(dir)}`);
    return fail('IO_ERROR', `${where}: cannot read ${name} (${errCode(e) ?? String(e)})`);
  }
  if (st.isSymbolicLink()) fail('BAD_PATH', `${where}: ${name} is a symbolic link; only regular files are read`);
  if (!st.isFile()) fail('BAD_PATH', `${where}: ${name} is not a regular file`);
  let handle;
  try {
    // O_NOFOLLOW closes the gap between lstat and open (0 where the platform lacks it)
    handle = await fs.open(full, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    if (errCode(e) === 'ELOOP') fail('BAD_PATH', `${where}: ${name} is a symbolic link`);
    return fail('IO_ERROR', `${where}: cannot open ${name} (${errCode(e) ?? String(e)})`);
  }
  try {
    const size = (await handle.stat()).size;
    if (size > maxBytes) fail('TOO_LARGE', `${where}: ${name} has ${size} bytes, the limit is ${maxBytes}`);
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await handle.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    await handle.close();
  }
}

/** Writes each file into dir (created if needed) through a temporary file and a rename; never follows a symlink. */
export async function writeFilesAtomic(dir: string, files: [string, Uint8Array][], where: string): Promise<void> {
  checkDirArg(dir, where);
  try {
    await fs.mkdir(path.resolve(dir), { recursive: true });
  } catch (e) {
    fail(errCode(e) === 'EEXIST' || errCode(e) === 'ENOTDIR' ? 'BAD_PATH' : 'IO_ERROR', `${where}: cannot create ${JSON.stringify(dir)} (${errCode(e) ?? String(e)})`);
  }
  const real = await realDir(dir, where);
  let k = 0;
  for (const [name, bytes] of files) {
    const full = inside(real, name, where);
    const existing = await fs.lstat(full).catch(() => null);
    if (existing && (existing.isSymbolicLink() || !existing.isFile())) {
      fail('BAD_PATH', `${where}: ${name} exists and is not a regular file; refusing to replace it`);
    }
    const tmp = path.join(real, `.${name}.${process.pid}.${k++}.tmp`);
    try {
      await fs.writeFile(tmp, bytes, { flag: 'wx' });
      await fs.rename(tmp, full);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      fail('IO_ERROR', `${where}: cannot write ${name} (${errCode(e) ?? String(e)})`);
    }
  }
}
