// Saving in a browser: hands bytes (a saved model's parts, any Uint8Array or text) to the browser as a
// file download. Node has the file system instead (model.save(dir)).

/**
 * Offers `data` to the user as a downloaded file named `fileName` (browsers only; in Node it throws,
 * use the file system). Text is written as UTF-8.
 * @example
 * ```ts
 * const { config, weights } = model.toBytes();
 * tg.downloadBytes(config, 'model.json');
 * tg.downloadBytes(weights, 'model.safetensors');
 * // later, from the two files the user picks: tg.fromBytes({ config, weights })
 * ```
 */
export function downloadBytes(data: Uint8Array | string, fileName: string): void {
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined || typeof URL.createObjectURL !== 'function') {
    throw new Error('downloadBytes: needs a browser page (document); in Node write the bytes with fs.writeFile, or use model.save(dir)');
  }
  if (typeof fileName !== 'string' || fileName === '') throw new Error('downloadBytes: fileName must be a non-empty string');
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new Error('downloadBytes: data must be a Uint8Array or a string');
  const blob = new Blob([data as BlobPart], { type: typeof data === 'string' ? 'text/plain;charset=utf-8' : 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // the download has started from the click; the URL can go once this task ends
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
