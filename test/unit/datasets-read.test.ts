import { describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../src/datasets/errors';
import {
  decodeBytes,
  detectContainer,
  parsePythonJson,
  readRecords,
} from '../../src/datasets/read';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('decodeBytes', () => {
  it('inflates gzip by its magic bytes, whatever the name', async () => {
    const text = '{"a": 1}\n{"a": 2}\n';
    expect(await decodeBytes('x.jsonl', await gzip(text))).toBe(text);
    expect(await decodeBytes('x.jsonl.gz', enc(text))).toBe(text);
  });

  it('refuses broken gzip and non-UTF-8 bytes with a named error', async () => {
    const gz = await gzip('{"a": 1}\n'.repeat(100));
    await expect(decodeBytes('cut.jsonl.gz', gz.slice(0, gz.length / 2))).rejects.toBeInstanceOf(
      UnreadableFileError,
    );
    await expect(
      decodeBytes('bin.jsonl', new Uint8Array([0xff, 0xfe, 0x00, 0xc3])),
    ).rejects.toThrow(/not UTF-8/);
  });

  it('drops a byte-order mark', async () => {
    expect(await decodeBytes('x.json', enc('\ufeff[1]'))).toBe('[1]');
  });
});

describe('readRecords', () => {
  it('numbers JSONL records by their line, skipping blank lines', () => {
    const { records } = readRecords('f.jsonl', '{"a":1}\n\n{"a":2}\r\n  \n{"a":3}\n');
    expect(records.map((r) => r.at.line)).toEqual([1, 3, 5]);
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('reports a truncated JSONL line and keeps the others', () => {
    const { records } = readRecords('f.jsonl', '{"a":1}\n{"a": [1, 2\n{"a":3}\n');
    expect(records[1]?.error?.message).toMatch(
      /^f\.jsonl, line 2, field `\(record\)`: not valid JSON/,
    );
    expect(records[0]?.value).toEqual({ a: 1 });
    expect(records[2]?.value).toEqual({ a: 3 });
  });

  it('splits a JSON array into elements with the line each starts on', () => {
    const text = '[\n  {"a": "x,]}"},\n  {"a": 2,\n   "b": [1, {"c": 3}]},\n  {"a": 3}\n]\n';
    const { container, records } = readRecords('f.json', text);
    expect(container).toBe('json-array');
    expect(records.map((r) => r.at.line)).toEqual([2, 3, 5]);
    expect(records.map((r) => (r.value as { a: unknown }).a)).toEqual(['x,]}', 2, 3]);
  });

  it('flags a broken array element and a file cut off mid-array', () => {
    const broken = readRecords('f.json', '[{"a":1},\n{"a":},\n{"a":3}]');
    expect(broken.records.map((r) => !!r.error)).toEqual([false, true, false]);
    expect(broken.records[1]?.at.line).toBe(2);
    const cut = readRecords('f.json', '[{"a":1},\n{"a":2},\n{"a":');
    expect(cut.records.at(-1)?.error?.message).toMatch(/line 3/);
    expect(cut.records[0]?.value).toEqual({ a: 1 });
  });

  it('reads an object file with a tasks array and a header', () => {
    const { container, header, records } = readRecords(
      'mine.json',
      '{"name": "Mine", "license": "MIT", "tasks": [{"id": 1}]}',
    );
    expect(container).toBe('json-object');
    expect(header).toEqual({ name: 'Mine', license: 'MIT' });
    expect(records.map((r) => r.value)).toEqual([{ id: 1 }]);
  });

  it('tells JSONL named .json from a single object', () => {
    expect(detectContainer('a.json', '{"a":1}\n{"a":2}\n')).toBe('jsonl');
    expect(detectContainer('a.json', '{"tasks": []}')).toBe('json-object');
    expect(detectContainer('a.jsonl.gz', '[1]')).toBe('jsonl');
  });
});

describe('parsePythonJson', () => {
  it("accepts Python json's NaN and Infinity outside strings only", () => {
    expect(parsePythonJson('[NaN, Infinity, -Infinity, "NaN"]')).toEqual([
      { $float: 'nan' },
      { $float: 'inf' },
      { $float: '-inf' },
      'NaN',
    ]);
    expect(() => parsePythonJson('[nan]')).toThrow();
  });
});
