import { describe, expect, it } from 'vitest';
import { gwsParameterSchema } from '../../schemas/raw/google-workspace.js';
import { flattenParameters, paramList, paramNumber, paramText, scopeDataNames } from './parameters.js';

const parse = (raw: unknown[]) => raw.map((p) => gwsParameterSchema.parse(p));

describe('flattenParameters', () => {
  it('flattens every value kind, keeping int64 as strings', () => {
    const params = flattenParameters(
      parse([
        { name: 'a', value: 'x' },
        { name: 'b', multiValue: ['p', 'q'] },
        { name: 'c', intValue: '9007199254740993' },
        { name: 'd', intValue: 5 },
        { name: 'e', multiIntValue: ['1', 2] },
        { name: 'f', boolValue: false },
        { name: 'g', multiBoolValue: [true, false] },
        { name: 'h', messageValue: { parameter: [{ name: 'inner', value: 'v' }] } },
        {
          name: 'scope_data',
          multiMessageValue: [
            {
              parameter: [
                { name: 'scope_name', value: 's1' },
                { name: 'product_bucket', multiValue: ['DRIVE'] },
              ],
            },
            { parameter: [{ name: 'scope_name', value: 's2' }] },
          ],
        },
        { name: 'empty' },
      ]),
    );
    expect(params).toEqual({
      a: 'x',
      b: ['p', 'q'],
      c: '9007199254740993',
      d: '5',
      e: ['1', '2'],
      f: false,
      g: [true, false],
      h: { inner: 'v' },
      scope_data: [{ scope_name: 's1', product_bucket: ['DRIVE'] }, { scope_name: 's2' }],
    });
    expect(scopeDataNames(params)).toEqual(['s1', 's2']);
  });

  it('accepts Panther flat maps', () => {
    expect(flattenParameters({ login_type: 'saml', is_suspicious: false, n: 3, list: ['a'] })).toEqual({
      login_type: 'saml',
      is_suspicious: false,
      n: '3',
      list: ['a'],
    });
  });

  it('reads text, lists and numbers whichever way they were logged', () => {
    const p = flattenParameters(
      parse([
        { name: 'm', value: 'password' },
        { name: 'mm', multiValue: ['password', 'totp'] },
        { name: 'csv', value: 'https://a/x, https://b/y' },
        { name: 'n', intValue: '48213' },
        { name: 'bad', value: 'abc' },
      ]),
    );
    expect(paramText(p, 'm')).toBe('password');
    expect(paramText(p, 'mm')).toBe('password');
    expect(paramList(p, 'm')).toEqual(['password']);
    expect(paramList(p, 'mm')).toEqual(['password', 'totp']);
    expect(paramList(p, 'csv')).toEqual(['https://a/x', 'https://b/y']);
    expect(paramNumber(p, 'n')).toBe(48213);
    expect(paramNumber(p, 'bad')).toBeUndefined();
    expect(paramText(p, 'missing')).toBeUndefined();
    expect(flattenParameters(undefined)).toEqual({});
  });
});
