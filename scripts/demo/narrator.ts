/**
 * Everything the demo prints: step headings, a few plain words per step, the
 * commands it runs and their output. Colour and a live status line only on a
 * terminal (and never with NO_COLOR); plain, stable text otherwise.
 */

export interface TextOut {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const STYLES = { bold: '1', dim: '2', red: '31', green: '32', cyan: '36' } as const;
type Style = keyof typeof STYLES;

export class Narrator {
  readonly #out: TextOut;
  readonly live: boolean;
  readonly #colour: boolean;
  /** The status line currently drawn under the output (terminal only). */
  #status = '';
  #muted = false;

  constructor(out: TextOut, env: NodeJS.ProcessEnv) {
    this.#out = out;
    this.live = out.isTTY === true;
    this.#colour = this.live && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  }

  title(text: string): void {
    this.#print(this.#paint('bold', text));
  }

  step(number: number, total: number, title: string): void {
    this.#print('');
    this.#print(this.#paint('bold', `[${number}/${total}] ${title}`));
  }

  say(text: string): void {
    this.#print(text);
  }

  command(line: string): void {
    this.#print(this.#paint('cyan', `$ ${line}`));
  }

  /** A command's own output, indented under it. */
  output(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) this.#print(`  ${line}`);
  }

  good(text: string): void {
    this.#print(this.#paint('green', text));
  }

  quiet(text: string): void {
    this.#print(this.#paint('dim', text));
  }

  failure(text: string): void {
    this.#print(this.#paint('red', text));
  }

  /** From now on nothing more is printed: what is still under way after an interruption is noise. */
  mute(): void {
    this.status('');
    this.#muted = true;
  }

  /** A line redrawn in place, for progress; nothing at all when the output is not a terminal. */
  status(text: string): void {
    if (!this.live || this.#muted) return;
    this.#clearStatus();
    this.#status = text;
    if (text) this.#out.write(this.#paint('dim', text));
  }

  #print(line: string): void {
    if (this.#muted) return;
    const status = this.#status;
    this.#clearStatus();
    this.#out.write(`${line}\n`);
    if (status) this.status(status);
  }

  #clearStatus(): void {
    if (this.#status) this.#out.write('\r\x1b[2K');
    this.#status = '';
  }

  #paint(style: Style, text: string): string {
    return this.#colour ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
  }
}
