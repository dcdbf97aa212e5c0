const WIDTH = 30;

/**
 * Progress on one line: redrawn in place on a terminal; elsewhere (CI logs, pipes) a line at
 * most once a second and only when the figures changed, so waiting is never silent.
 */
export class ProgressLine {
  private label = '';
  private latest = '';
  private shown = '';
  private lastPrinted = 0;
  private open = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  /** `total` 0 shows the label alone (a wait with nothing to count yet). */
  update(label: string, done = 0, total = 0): void {
    const text = total > 0 ? `${label} [${bar(done, total)}] ${done}/${total}` : label;
    if (this.stream.isTTY) {
      this.stream.write(`\r${text}\x1b[K`);
      this.open = true;
      return;
    }
    const newStep = label !== this.label;
    if (newStep) this.end();
    this.label = label;
    this.latest = text;
    if (text === this.shown || (!newStep && this.now() - this.lastPrinted < 1_000)) return;
    this.stream.write(`${text}\n`);
    this.shown = text;
    this.lastPrinted = this.now();
  }

  /** Shows the last figures and ends the line, so what follows starts on a fresh one. */
  end(): void {
    if (this.open) this.stream.write('\n');
    else if (!this.stream.isTTY && this.latest !== this.shown) this.stream.write(`${this.latest}\n`);
    this.open = false;
    this.shown = this.latest;
  }
}

function bar(done: number, total: number): string {
  const filled = Math.min(WIDTH, Math.round((done / total) * WIDTH));
  return `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
}
