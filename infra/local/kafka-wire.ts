/**
 * Kafka protocol primitives (big-endian, non-flexible versions only): enough to read and write
 * the few messages the local stack's proxy inspects. Everything else passes through as bytes.
 */

export class KafkaWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaWireError';
  }
}

export class WireReader {
  constructor(
    private readonly buffer: Buffer,
    public offset = 0,
  ) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  int8(): number {
    return this.take(1).readInt8(0);
  }

  int16(): number {
    return this.take(2).readInt16BE(0);
  }

  int32(): number {
    return this.take(4).readInt32BE(0);
  }

  int64(): bigint {
    return this.take(8).readBigInt64BE(0);
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new KafkaWireError('null where a string is required');
    return value;
  }

  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.take(length).toString('utf8');
  }

  /** Bytes as a view into the frame (no copy). */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    return length < 0 ? null : this.take(length);
  }

  array<T>(item: (reader: WireReader) => T): T[] {
    const count = this.int32();
    if (count < 0) return [];
    if (count > this.remaining) throw new KafkaWireError(`array of ${count} items in ${this.remaining} bytes`);
    return Array.from({ length: count }, () => item(this));
  }

  /** Fails unless every byte was read: a message of another version would otherwise decode as garbage. */
  end(): void {
    if (this.remaining !== 0) throw new KafkaWireError(`${this.remaining} unread bytes at the end of a message`);
  }

  /** The unread rest, as a view. */
  rest(): Buffer {
    return this.take(this.remaining);
  }

  private take(length: number): Buffer {
    if (length > this.remaining) throw new KafkaWireError(`read of ${length} bytes with ${this.remaining} left`);
    const view = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }
}

/** Collects parts and joins them once; large byte fields are referenced, not copied, until then. */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  int8(value: number): this {
    return this.fixed(1, (b) => b.writeInt8(value, 0));
  }

  int16(value: number): this {
    return this.fixed(2, (b) => b.writeInt16BE(value, 0));
  }

  int32(value: number): this {
    return this.fixed(4, (b) => b.writeInt32BE(value, 0));
  }

  int64(value: bigint): this {
    return this.fixed(8, (b) => b.writeBigInt64BE(value, 0));
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }

  string(value: string): this {
    return this.nullableString(value);
  }

  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).raw(value);
  }

  array<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  private fixed(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.allocUnsafe(size);
    write(b);
    this.parts.push(b);
    return this;
  }
}

/** The fields of a request header (v1/v2) the proxy needs; the header's bytes are kept as they are. */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
}

/** Bytes of a frame's size prefix plus the request header fields above. */
export const REQUEST_PEEK_BYTES = 4 + 8;

/** Reads the header of a request frame (with its size prefix). */
export function peekRequestHeader(frame: Buffer): RequestHeader {
  return { apiKey: frame.readInt16BE(4), apiVersion: frame.readInt16BE(6), correlationId: frame.readInt32BE(8) };
}

/** Where the body of a request frame starts: after size, api key, version, correlation id and client id (header v1). */
export function requestBodyOffset(frame: Buffer): number {
  const reader = new WireReader(frame, REQUEST_PEEK_BYTES);
  reader.nullableString();
  return reader.offset;
}

/** A response frame (size prefix, correlation id, body), for header v0 (every non-flexible response). */
export function responseFrame(correlationId: number, body: Buffer): Buffer {
  const head = Buffer.allocUnsafe(8);
  head.writeInt32BE(4 + body.length, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]);
}

/** A request frame from a request's original header bytes and a new body. */
export function requestFrame(header: Buffer, body: Buffer): Buffer {
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}
