/** A one-line progress bar for terminals; prints nothing when the stream is not a TTY. */
export function progressBar(stream: NodeJS.WriteStream, width = 30): (done: number, total: number) => void {
  return (done, total) => {
    if (!stream.isTTY) return;
    const filled = Math.round((done / total) * width);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}
