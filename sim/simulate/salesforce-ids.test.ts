import { describe, expect, it } from 'vitest';
import { salesforceId18, salesforceTokenId } from './ids.js';
import { toCaseSafeId } from './salesforce-ids.js';

describe('Salesforce ids', () => {
  it('computes the 18-character case-safe suffix', () => {
    expect(toCaseSafeId('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    expect(toCaseSafeId('005000000000000')).toBe('005000000000000AAA');
    expect(salesforceId18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    expect(salesforceId18('001D000000IqhSLIAZ')).toBe('001D000000IqhSLIAZ');
  });

  it('builds token ids per IDS.md', () => {
    expect(salesforceTokenId('001D000000IqhSL', '0H4RM00000000Kr')).toBe(
      `salesforce:grant:001D000000IqhSLIAZ:${toCaseSafeId('0H4RM00000000Kr')}`,
    );
    expect(salesforceTokenId('001D000000IqhSLIAZ', null)).toBe('salesforce:user:001D000000IqhSLIAZ');
    expect(salesforceTokenId('', null, 'Bob@X.example')).toBe('salesforce:username:bob@x.example');
  });
});
