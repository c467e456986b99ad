/**
 * The unit files and the plist in `units/` are templates with `{{name}}`
 * placeholders. A value is either text, put in place (the caller escapes it
 * for the file's syntax), or lines, which replace a placeholder standing alone
 * on its line (with that line's indent); no lines remove the line.
 */
import { ServiceSetupError } from './errors.js';

export type TemplateValue = string | { readonly lines: readonly string[] };

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

export function renderTemplate(template: string, values: Readonly<Record<string, TemplateValue>>, name: string): string {
  const valueOf = (key: string): TemplateValue => {
    const value = values[key];
    if (value === undefined) throw new ServiceSetupError(`the template ${name} uses {{${key}}}, which has no value; the package is damaged or out of date, reinstall it`);
    return value;
  };
  const out: string[] = [];
  for (const line of template.split('\n')) {
    const alone = /^(\s*)\{\{(\w+)\}\}\s*$/.exec(line);
    const value = alone ? valueOf(alone[2]!) : undefined;
    if (alone && typeof value === 'object') {
      out.push(...value.lines.map((item) => `${alone[1]}${item}`));
      continue;
    }
    out.push(
      line.replace(PLACEHOLDER, (_whole, key: string) => {
        const inline = valueOf(key);
        if (typeof inline !== 'string') throw new ServiceSetupError(`the template ${name} uses {{${key}}} inside a line, where only text fits`);
        return inline;
      }),
    );
  }
  return out.join('\n');
}
