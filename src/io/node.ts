import type { RecurrentLayer } from '../layers/recurrent.js';
import type { Sequential } from '../model/sequential.js';
import { checkOptions, is } from '../options.js';
import { load, LOAD_RULES, save, type LoadOptions, type Saveable } from './model-file.js';

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
export async function loadFile(path: string | URL, options: LoadOptions & { maxBytes?: number; expect: 'Sequential' }): Promise<Sequential>;
export async function loadFile(path: string | URL, options: LoadOptions & { maxBytes?: number; expect: 'layer' }): Promise<RecurrentLayer>;
export async function loadFile(path: string | URL, options?: LoadOptions & { maxBytes?: number }): Promise<Saveable>;
export async function loadFile(path: string | URL, options: LoadOptions & { maxBytes?: number } = {}): Promise<Saveable> {
  checkOptions('loadFile', options, { ...LOAD_RULES, maxBytes: is.int(0) });
  const { maxBytes: _max, ...loadOptions } = options;
  const fs = await import('node:fs/promises');
  const { size } = await fs.stat(path);
  const max = options.maxBytes ?? 2 ** 31;
  if (size > max) {
    const { FormatError } = await import('../errors.js');
    throw new FormatError(`${String(path)} is ${size} bytes, more than the ${max} allowed (maxBytes)`);
  }
  return load(await fs.readFile(path), loadOptions);
}
