/**
 * Splits a byte stream into lines without ever holding more than `maxLine` bytes of one line: an
 * over-long line is dropped as it streams in and reported once, so a peer cannot make us buffer
 * without bound. Used on both ends of the agent protocol.
 */
export class LineSplitter {
  private buf = "";
  private skipping = false;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer | string): void {
    let text = this.buf + chunk.toString();
    this.buf = "";
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.skipping) this.skipping = false;
      else if (line.length > this.maxLine) this.onTooLong();
      else if (line.trim()) this.onLine(line);
    }
    if (this.skipping) return;
    if (text.length > this.maxLine) {
      this.skipping = true;
      this.onTooLong();
    } else this.buf = text;
  }
}
