/**
 * docs/protocol.md in step with the code: a section for every socket command
 * naming each of its arguments and result fields, a row for every event with
 * its fields, and the error codes and exit codes exactly as the code has them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { z } from 'zod';
import { EXIT } from '../../src/cli/cli-errors.js';
import { COMMAND_NAMES, SOCKET_COMMANDS } from '../../src/control/contract/commands.js';
import { arenaEvent } from '../../src/control/contract/events.js';
import { ERROR_CODES } from '../../src/core/error-codes.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'protocol.md'), 'utf8');

/** The text under a heading, up to the next heading of the same level or higher. */
function section(text: string, heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const start = text.split('\n').findIndex((line) => line === heading);
  if (start < 0) return '';
  const lines = text.split('\n').slice(start + 1);
  const end = lines.findIndex((line) => /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(0, end < 0 ? undefined : end).join('\n');
}

/** The first cell of each row of the tables in a text, without its backquotes. */
function firstCells(text: string): string[] {
  return [...text.matchAll(/^\| `?([^`|]+?)`? \|/gm)].map((match) => match[1]!).filter((cell) => !/^-+$/.test(cell));
}

/** The field names of a schema's objects, at the top only or at every depth. */
function fieldNames(schema: z.ZodTypeAny, deep: boolean): string[] {
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as z.ZodRawShape).flatMap(([key, field]) => [key, ...(deep ? fieldNames(field, deep) : [])]);
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return fieldNames(schema.unwrap() as z.ZodTypeAny, deep);
  if (schema instanceof z.ZodDefault) return fieldNames(schema.removeDefault() as z.ZodTypeAny, deep);
  if (!deep) return [];
  if (schema instanceof z.ZodArray) return fieldNames(schema.element as z.ZodTypeAny, deep);
  if (schema instanceof z.ZodUnion || schema instanceof z.ZodDiscriminatedUnion) {
    return (schema.options as z.ZodTypeAny[]).flatMap((option) => fieldNames(option, deep));
  }
  return [];
}

const commands = section(doc, '## Commands');

test('docs/protocol.md has a section for every socket command, and none for a command that does not exist', (t) => {
  const documented = [...commands.matchAll(/^### `([^`]+)`$/gm)].map((match) => match[1]!);
  t.deepEqual([...documented].sort(), [...COMMAND_NAMES].sort());
});

test("each command's section names its arguments and its result's fields; every field of every result is named in Commands", (t) => {
  for (const name of COMMAND_NAMES) {
    const text = section(commands, `### \`${name}\``);
    const { args, result } = SOCKET_COMMANDS[name];
    for (const field of [...fieldNames(args, false), ...fieldNames(result, false)]) {
      t.true(text.includes(`"${field}"`), `${name}: "${field}" is described`);
    }
    for (const field of [...fieldNames(args, true), ...fieldNames(result, true)]) {
      t.true(commands.includes(`"${field}"`), `${name}: "${field}" is described somewhere in Commands`);
    }
  }
});

test('every event is in the events table with each of its fields, and the table has no other', (t) => {
  const events = section(doc, '## Events');
  const rows = new Map([...events.matchAll(/^\| `([a-z]+\.[a-z]+)` \|(.*)$/gm)].map((match) => [match[1]!, match[2]!]));
  t.deepEqual([...rows.keys()].sort(), arenaEvent.options.map((option) => option.shape.event.value).sort());
  for (const option of arenaEvent.options) {
    const row = rows.get(option.shape.event.value) ?? '';
    for (const field of Object.keys(option.shape).filter((key) => key !== 'event')) {
      t.true(row.includes(`\`${field}\``), `${option.shape.event.value}: \`${field}\` is described`);
    }
  }
});

test('the error codes table is the list of core/error-codes.ts, and each row says what it means and when it comes', (t) => {
  const table = section(doc, '## Error codes');
  t.deepEqual(
    firstCells(table)
      .filter((cell) => cell !== 'code')
      .sort(),
    Object.values(ERROR_CODES).sort(),
  );
  for (const row of table.split('\n').filter((line) => line.startsWith('| `E_'))) {
    t.is(row.split(' | ').filter((cell) => cell.trim() !== '').length, 3, row);
  }
});

test('every error code the ComfyUI nodes give is documented', (t) => {
  const nodes = path.join(repoRoot, 'comfyui', 'ComfyUI_Arena');
  const codes = new Set(
    fs
      .readdirSync(nodes)
      .filter((file) => file.endsWith('.py'))
      .flatMap((file) => [...fs.readFileSync(path.join(nodes, file), 'utf8').matchAll(/["'](E_[A-Z_]+)["']/g)].map((match) => match[1]!)),
  );
  t.true(codes.size > 0);
  for (const code of codes) t.true(doc.includes(`\`${code}\``), code);
});

test("arenactl's exit codes are the ones of the table", (t) => {
  const table = section(doc, '## arenactl');
  const codes = firstCells(table)
    .filter((cell) => /^\d+$/.test(cell))
    .map(Number);
  t.deepEqual(codes, [...new Set(Object.values(EXIT))].sort());
});
