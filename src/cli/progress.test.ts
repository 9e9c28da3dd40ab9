import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeProgress } from './progress.js';

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  (stream as { isTTY: boolean }).isTTY = isTTY;
  (stream as { columns: number }).columns = 80;
  let text = '';
  (stream as unknown as PassThrough).on('data', (d: Buffer) => {
    text += d.toString();
  });
  return { stream, text: () => text };
}

describe('makeProgress', () => {
  it('off a terminal: one line per quarter, counts in MB', () => {
    const out = capture(false);
    const progress = makeProgress({ label: 'reading', unit: 'bytes', stream: out.stream });
    for (let done = 0; done <= 8e6; done += 1e6) progress(done, 8e6);
    progress(8e6, 8e6);
    expect(out.text().trim().split('\n')).toEqual([
      'reading: 25% (2/8 MB)',
      'reading: 50% (4/8 MB)',
      'reading: 75% (6/8 MB)',
      'reading: 100% (8/8 MB)',
    ]);
  });

  it('says nothing for totals below minTotal', () => {
    const out = capture(false);
    const progress = makeProgress({ label: 'sending', unit: 'count', minTotal: 1000, stream: out.stream });
    progress(999, 999);
    expect(out.text()).toBe('');
  });

  it('on a terminal: draws a bar', () => {
    const out = capture(true);
    const progress = makeProgress({ label: 'sending', unit: 'count', stream: out.stream });
    progress(0, 10);
    progress(10, 10);
    expect(out.text()).toContain('sending [');
    expect(out.text()).toContain('10/10');
  });
});
