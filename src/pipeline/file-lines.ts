import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The lines of a temporary NDJSON file the pipeline wrote itself (sorted runs, time partitions),
 * read through a fixed buffer of `readBytes`. Lines are cut on the `\n` byte before decoding, so a
 * multi-byte UTF-8 character that straddles two reads is decoded whole. Empty lines are skipped.
 * The file is closed when the generator ends or is closed.
 * @throws Error when the file does not end with `\n` (it was cut short: these files end every line).
 */
export function* fileLines(path: string, readBytes = 1024 * 1024): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(readBytes);
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      const data = carry.length === 0 ? buf.subarray(0, got) : Buffer.concat([carry, buf.subarray(0, got)]);
      const cut = data.lastIndexOf(0x0a) + 1;
      if (cut > 0) {
        const text = data.toString('utf8', 0, cut);
        let pos = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', pos)) {
          if (nl > pos) yield text.slice(pos, nl);
          pos = nl + 1;
        }
      }
      // copied: `buf` is reused by the next read
      carry = Buffer.from(data.subarray(cut));
    }
    if (carry.length > 0)
      throw new Error(`${path} ends inside a line (${carry.length} bytes after the last line end)`);
  } finally {
    closeSync(fd);
  }
}
