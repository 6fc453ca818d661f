import { load, save, type LoadOptions, type Saveable } from './model-file.js';

/**
 * Write a model file (Node only).
 * @example `await saveFile(model, 'model.safetensors')`
 */
export async function saveFile(model: Saveable, path: string | URL): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, save(model));
}

/**
 * Read a model file (Node only). Files larger than `maxBytes` (default 2 GiB) are refused
 * before they are read.
 * @example `const model = await loadFile('model.safetensors')`
 */
export async function loadFile(path: string | URL, options: LoadOptions & { maxBytes?: number } = {}): Promise<Saveable> {
  const fs = await import('node:fs/promises');
  const { size } = await fs.stat(path);
  const max = options.maxBytes ?? 2 ** 31;
  if (size > max) {
    const { FormatError } = await import('../errors.js');
    throw new FormatError(`${String(path)} is ${size} bytes, more than the ${max} allowed (maxBytes)`);
  }
  return load(await fs.readFile(path), options);
}
