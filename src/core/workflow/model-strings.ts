import { hasModelExtension } from '../categories.js';
import { isRecord } from './json-value.js';

/** A model-like string found inside a widget or input value. */
export interface FoundModelString {
  readonly name: string;
  /** The object key that held it (`lora` in rgthree's `{on, lora, strength}`), when there was one. */
  readonly key?: string;
  /** False inside an object switched off with `on: false` (rgthree Power Lora Loader). */
  readonly active: boolean;
}

/** Widget values are shallow in practice; deeper structures are data, not model choices. */
const MAX_DEPTH = 4;
/** A bound on work per value, so a giant array in one widget cannot stall parsing. */
const MAX_VISITS = 10_000;
const MAX_NAME_LENGTH = 1024;

/**
 * True for a string that reads like a model file name: it ends in a model
 * extension, is one line, and is not a URL (download nodes hold URLs).
 */
export function isModelLikeString(value: string): boolean {
  return value.length <= MAX_NAME_LENGTH && !/[\r\n]/.test(value) && !value.includes('://') && hasModelExtension(value);
}

/** Model-like strings in a value: the value itself, or inside arrays and objects a few levels down. */
export function modelStringsIn(value: unknown): FoundModelString[] {
  const found: FoundModelString[] = [];
  const stack: { value: unknown; depth: number; key?: string; active: boolean }[] = [{ value, depth: 0, active: true }];
  let visits = 0;
  while (stack.length > 0 && visits < MAX_VISITS) {
    visits += 1;
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (isModelLikeString(item.value)) {
        found.push(item.key === undefined ? { name: item.value, active: item.active } : { name: item.value, key: item.key, active: item.active });
      }
      continue;
    }
    if (item.depth >= MAX_DEPTH) continue;
    const children: { value: unknown; key?: string }[] = [];
    let active = item.active;
    if (Array.isArray(item.value)) {
      for (const child of item.value) children.push({ value: child });
    } else if (isRecord(item.value)) {
      if (item.value['on'] === false) active = false;
      for (const [key, child] of Object.entries(item.value)) children.push({ value: child, key });
    }
    // Pushed in reverse so that values come out in document order.
    for (let index = children.length - 1; index >= 0; index -= 1) {
      const child = children[index]!;
      stack.push({ value: child.value, depth: item.depth + 1, active, ...(child.key === undefined ? {} : { key: child.key }) });
    }
  }
  return found;
}
