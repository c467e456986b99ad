/**
 * The settings of one section of a rendered unit file, as systemd reads
 * them: `Key=value` lines, `#` and `;` comments, a trailing backslash
 * continuing a line, and list settings that accumulate (an empty assignment
 * resets the list).
 */

/** Every assignment of each key in `section`, in file order; an empty assignment clears what came before. */
export function unitSection(text: string, section: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let current = '';
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = pending + raw.trim();
    pending = '';
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1)} `;
      continue;
    }
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    const equals = line.indexOf('=');
    if (current !== section || equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    settings.set(key, value === '' ? [] : [...(settings.get(key) ?? []), value]);
  }
  return settings;
}

/** The words of a list setting, unquoted (`ReadWritePaths=-"/a b" /c`). */
export function unitWords(value: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3]!));
  }
  return words;
}
