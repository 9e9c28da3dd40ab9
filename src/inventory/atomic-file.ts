import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `data` to `path` atomically: a temporary file next to it is written and fsynced, then
 * renamed over `path`, so readers see the old or the new content, never a mix.
 * @throws the file-system error (the temporary file is removed).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw cause;
  }
}
