import { readFile } from 'node:fs/promises';
import type { ModelRef } from '../../src/core/workflow/index.js';

/** The bytes of a file in test/fixtures/workflows/. */
export async function readWorkflowFixture(name: string): Promise<Buffer> {
  return readFile(new URL(`../fixtures/workflows/${name}`, import.meta.url));
}

export async function readWorkflowFixtureJson(name: string): Promise<unknown> {
  return JSON.parse((await readWorkflowFixture(name)).toString('utf8')) as unknown;
}

/** `nodeId category name` lines: compact to compare, and a failing diff reads well. */
export function refLines(refs: readonly ModelRef[]): string[] {
  return refs.map((ref) => `${ref.nodeId} ${ref.category ?? '?'} ${ref.name}`);
}
