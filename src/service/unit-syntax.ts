/**
 * Escaping for the two file syntaxes the service files use: systemd unit
 * settings (specifiers `%x`, `$VAR` expansion in command lines, C-style
 * quoting) and the XML of a launchd plist.
 */

/** A word as systemd splits it: quoted when it holds blanks, quotes or backslashes. */
function systemdWord(text: string): string {
  const specifiersEscaped = text.replace(/%/g, '%%');
  if (specifiersEscaped !== '' && !/[\s"'\\;]/.test(specifiersEscaped)) return specifiersEscaped;
  const cEscaped = specifiersEscaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `"${cEscaped}"`;
}

/** One argument of `ExecStart=`: also `$` is doubled, so systemd expands no variable in it. */
export function execArgument(text: string): string {
  return systemdWord(text.replace(/\$/g, '$$$$'));
}

/** A whole `ExecStart=` command line. */
export function execCommandLine(argv: readonly string[]): string {
  return argv.map(execArgument).join(' ');
}

/** A path in a list setting such as `ReadWritePaths=`; `optional` adds the `-` that lets the unit start without it. */
export function unitPath(file: string, optional = false): string {
  return systemdWord(`${optional ? '-' : ''}${file}`);
}

/** Text in an XML element or attribute. */
export function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
