import { FrameReader, type FrameHandlers } from '../../../infra/local/kafka-frame-reader';

const frame = (payload: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
};

/** A reader that buffers frames whose first payload byte is 1 and streams the rest. */
function recorder(maxSize = 1_000) {
  const seen = { passed: [] as Buffer[], frames: [] as Buffer[], oversize: [] as number[] };
  const handlers: FrameHandlers = {
    peekBytes: 1,
    maxSize,
    decide: (head) => (head.length > 4 && head[4] === 1 ? 'buffer' : 'pass'),
    pass: (chunk) => seen.passed.push(Buffer.from(chunk)),
    frame: (f) => seen.frames.push(Buffer.from(f)),
    oversize: (size) => seen.oversize.push(size),
  };
  return { reader: new FrameReader(handlers), seen };
}

describe('FrameReader', () => {
  const streamed = [frame(Buffer.from([0, 9, 9, 9])), frame(Buffer.alloc(0)), frame(Buffer.from([0, 8]))];
  const buffered = [frame(Buffer.from([1, 7, 7])), frame(Buffer.from([1]))];
  const input = Buffer.concat([streamed[0]!, buffered[0]!, streamed[1]!, streamed[2]!, buffered[1]!]);

  it.each([
    ['one chunk', [input]],
    ['single bytes', [...input].map((b) => Buffer.from([b]))],
    ['uneven chunks', [input.subarray(0, 3), input.subarray(3, 11), input.subarray(11)]],
  ])('streams passed frames byte for byte and hands buffered frames over whole, in %s', (_name, chunks) => {
    // Prepare
    const { reader, seen } = recorder();
    // Act
    for (const chunk of chunks) reader.push(chunk);
    // Assess
    expect(Buffer.concat(seen.passed)).toEqual(Buffer.concat(streamed));
    expect(seen.frames).toEqual(buffered);
    expect(seen.oversize).toEqual([]);
  });

  it('stops at a frame larger than the limit, reading none of it, as a broker closes the connection', () => {
    // Prepare
    const { reader, seen } = recorder(4);
    // Act
    reader.push(Buffer.concat([frame(Buffer.from([0, 1, 2, 3])), frame(Buffer.from([0, 1, 2, 3, 4])), frame(Buffer.from([0]))]));
    // Assess
    expect(Buffer.concat(seen.passed)).toEqual(frame(Buffer.from([0, 1, 2, 3])));
    expect(seen.oversize).toEqual([5]);
  });

  it('stops at a negative frame size', () => {
    const { reader, seen } = recorder();
    reader.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0]));
    expect(seen.oversize).toEqual([-1]);
  });
});
