/**
 * Splits a Kafka byte stream (int32 size + payload frames) without holding frames it need not
 * read: once the first bytes of a frame are in, `decide` says whether to stream the frame through
 * (`pass`, in the chunks it arrives in) or collect it whole (`buffer`, then `frame`).
 */
export interface FrameHandlers {
  /** Payload bytes `decide` needs to see (fewer for shorter frames). */
  readonly peekBytes: number;
  /** Largest payload size accepted; a bigger (or negative) size calls `oversize` and stops reading. */
  readonly maxSize: number;
  decide(head: Buffer): 'pass' | 'buffer';
  pass(chunk: Buffer): void;
  frame(frame: Buffer): void;
  oversize(size: number): void;
}

export class FrameReader {
  private head: Buffer[] = [];
  private headLength = 0;
  private size = -1;
  private mode: 'head' | 'pass' | 'buffer' = 'head';
  private remaining = 0;
  private body: Buffer[] = [];
  private stopped = false;

  constructor(private readonly handlers: FrameHandlers) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      if (this.mode === 'head') {
        const take = Math.min(this.headNeed() - this.headLength, chunk.length - at);
        this.head.push(chunk.subarray(at, at + take));
        this.headLength += take;
        at += take;
        this.onHeadBytes();
      } else {
        const take = Math.min(this.remaining, chunk.length - at);
        const part = chunk.subarray(at, at + take);
        at += take;
        this.remaining -= take;
        if (this.mode === 'pass') this.handlers.pass(part);
        else this.body.push(part);
        if (this.remaining === 0) this.finishFrame();
      }
    }
  }

  private headNeed(): number {
    return this.size < 0 ? 4 : 4 + Math.min(this.size, this.handlers.peekBytes);
  }

  private onHeadBytes(): void {
    if (this.headLength < this.headNeed()) return;
    const head = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    this.head = [head];
    if (this.size < 0) {
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.handlers.maxSize) {
        this.stopped = true;
        this.handlers.oversize(size);
        return;
      }
      this.size = size;
      if (this.headLength < this.headNeed()) return;
    }
    this.mode = this.handlers.decide(head) === 'pass' ? 'pass' : 'buffer';
    this.remaining = 4 + this.size - head.length;
    if (this.mode === 'pass') this.handlers.pass(head);
    else this.body = [head];
    if (this.remaining === 0) this.finishFrame();
  }

  private finishFrame(): void {
    if (this.mode === 'buffer') {
      const frame = this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body);
      this.body = [];
      this.handlers.frame(frame);
    }
    this.mode = 'head';
    this.head = [];
    this.headLength = 0;
    this.size = -1;
  }
}
