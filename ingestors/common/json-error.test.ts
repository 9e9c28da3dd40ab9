import { describe, expect, it } from 'vitest';
import { jsonErrorMessage } from './json-error.js';

function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (err) {
    return err;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('jsonErrorMessage', () => {
  it('drops the "(line L column C)" suffix of Node 22+ and keeps the position', () => {
    const err = new SyntaxError('Unterminated string in JSON at position 61 (line 1 column 62)');
    expect(jsonErrorMessage(err)).toBe('Unterminated string in JSON at position 61');
  });

  it('reads the same on whichever Node runs the test', () => {
    expect(jsonErrorMessage(parseError('{"a": "b'))).toBe('Unterminated string in JSON at position 8');
    expect(jsonErrorMessage(parseError('{a: 1}'))).toBe(
      "Expected property name or '}' in JSON at position 1",
    );
  });

  it('keeps messages without the suffix, and non-errors as text', () => {
    expect(jsonErrorMessage(new SyntaxError('Unexpected end of JSON input'))).toBe(
      'Unexpected end of JSON input',
    );
    expect(jsonErrorMessage('boom')).toBe('boom');
  });
});
