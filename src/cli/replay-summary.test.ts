import { describe, expect, it } from 'vitest';
import { formatReplaySummary } from './replay-summary.js';

describe('formatReplaySummary', () => {
  it('sums per source and lists what was not produced, in a few lines', () => {
    const text = formatReplaySummary(
      {
        messages: 7,
        tooLarge: 1,
        files: [
          { file: 'a.ndjson', source: 'github', topic: 'raw.github', messages: 3, tooLarge: 0 },
          { file: 'b.ndjson', source: 'github', topic: 'raw.github', messages: 2, tooLarge: 1 },
          { file: 'c.csv', source: 'salesforce', topic: 'raw.salesforce', messages: 2, tooLarge: 0 },
          { file: 'junk.ndjson', source: 'unknown', messages: 0, tooLarge: 0 },
        ],
      },
      ['127.0.0.1:9092'],
    );
    expect(text.split('\n')).toEqual([
      'replayed 7 messages from 4 file(s) to 127.0.0.1:9092',
      '  github                   5 messages     2 file(s)  -> raw.github',
      '  salesforce               2 messages     1 file(s)  -> raw.salesforce',
      '  not produced (source not recognized, use --source): 1 file(s): junk.ndjson',
      '  not produced (larger than a Kafka message): 1 record(s)',
    ]);
  });
});
