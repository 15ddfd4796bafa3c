/**
 * From the bytes of a published dataset file to raw records with their line numbers.
 *
 * Files are read exactly as their projects publish them: JSON Lines (HumanEval, MBPP, EvalPlus,
 * APPS), a JSON array (sanitized MBPP) or an object holding a `tasks` array (Athanor's own format),
 * each optionally gzipped (HumanEval ships `.jsonl.gz`). Gzip is inflated with the platform's
 * DecompressionStream, which every current browser and Node >= 18 provide, so no library is needed.
 *
 * A JSON array is split into its elements by a small scanner rather than parsed in one go, so that
 * one broken element is reported with its line and the others stay importable.
 */
import {
  formatBytes,
  RecordError,
  TooLargeError,
  UnreadableFileError,
  type RecordLocation,
} from './errors';

/** Size limits, as plain data so the page and tests can pass their own. */
export interface ReadLimits {
  /** Largest file after decompression. */
  maxFileBytes: number;
  /** Largest single record (one JSONL line or one array element). */
  maxRecordBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxFileBytes: 512 * 1024 * 1024,
  // EvalPlus lines carry hundreds of generated inputs; a few MB is normal, 32 MB is not.
  maxRecordBytes: 32 * 1024 * 1024,
};

/** One record as read: where it was, its raw text, and its parsed value or why it has none. */
export interface RawRecord {
  at: RecordLocation;
  raw: string;
  value?: unknown;
  error?: RecordError;
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Bytes to text: gunzip when the gzip magic is there, then strict UTF-8. */
export async function decodeBytes(
  file: string,
  bytes: Uint8Array,
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<string> {
  let data = bytes;
  if (isGzip(bytes)) {
    try {
      const stream = new Blob([bytes as BlobPart])
        .stream()
        .pipeThrough(new DecompressionStream('gzip'));
      data = await readCapped(file, stream, limits.maxFileBytes);
    } catch (err) {
      if (err instanceof TooLargeError) throw err;
      throw new UnreadableFileError(
        file,
        `it starts like gzip but does not inflate (${String(err)}). Download it again.`,
      );
    }
  }
  if (data.length > limits.maxFileBytes) {
    throw new TooLargeError(file, 'the file', data.length, limits.maxFileBytes);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new UnreadableFileError(file, 'it is not UTF-8 text (is it a zip, tar or binary file?).');
  }
}

async function readCapped(
  file: string,
  stream: ReadableStream<Uint8Array>,
  cap: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > cap) {
      await reader.cancel();
      throw new TooLargeError(file, 'the inflated file', total, cap);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

export type Container = 'jsonl' | 'json-array' | 'json-object';

/** How the file is laid out: by its name first, by its first character when the name says nothing. */
export function detectContainer(file: string, text: string): Container {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const first = text.trimStart()[0];
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (first === '[') return 'json-array';
  if (first === '{') {
    // One object per line is JSONL even when the file is called .json.
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 1 && tryParse(lines[0] ?? '') !== undefined) return 'jsonl';
    return 'json-object';
  }
  return name.endsWith('.json') ? 'json-array' : 'jsonl';
}

/**
 * Parse JSON as Python's `json` module writes it: `NaN`, `Infinity` and `-Infinity` are allowed
 * (EvalPlus inputs contain them) and come back as `{ $float: 'nan' | 'inf' | '-inf' }`.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return JSON.parse(replaceNonFinite(text));
  }
}

function tryParse(text: string): unknown {
  try {
    return parsePythonJson(text);
  } catch {
    return undefined;
  }
}

function replaceNonFinite(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = skipString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (text.startsWith('-Infinity', i)) {
      out += '{"$float":"-inf"}';
      i += 9;
    } else if (text.startsWith('Infinity', i)) {
      out += '{"$float":"inf"}';
      i += 8;
    } else if (text.startsWith('NaN', i)) {
      out += '{"$float":"nan"}';
      i += 3;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Offsets of line starts, for turning a character offset into a 1-based line. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Records of a JSONL text, one per non-blank line. */
export function jsonlRecords(
  file: string,
  text: string,
  limits: ReadLimits = DEFAULT_LIMITS,
): RawRecord[] {
  const out: RawRecord[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).replace(/\r$/, '');
    if (raw.trim() === '') continue;
    out.push(parseRecord({ file, line: n + 1, index: out.length }, raw, limits));
  }
  return out;
}

function parseRecord(at: RecordLocation, raw: string, limits: ReadLimits): RawRecord {
  if (raw.length > limits.maxRecordBytes) {
    return {
      at,
      raw: raw.slice(0, 200),
      error: new RecordError(
        at,
        '(record)',
        `the record is ${formatBytes(raw.length)}, over the ${formatBytes(limits.maxRecordBytes)} limit for one record`,
      ),
    };
  }
  try {
    const value = parsePythonJson(raw);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { at, raw, error: new RecordError(at, '(record)', 'expected a JSON object {…}') };
    }
    return { at, raw, value };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return {
      at,
      raw,
      error: new RecordError(
        at,
        '(record)',
        `not valid JSON (${detail}); the line may be truncated`,
      ),
    };
  }
}

/** Elements of the JSON array that starts at `start`, each parsed on its own. */
export function arrayRecords(
  file: string,
  text: string,
  start: number,
  limits: ReadLimits = DEFAULT_LIMITS,
  lineOf: (offset: number) => number = lineIndex(text),
): RawRecord[] {
  const out: RawRecord[] = [];
  let i = skipWs(text, start + 1);
  while (i < text.length && text[i] !== ']') {
    const end = skipValue(text, i);
    const at: RecordLocation = { file, line: lineOf(i), index: out.length };
    out.push(parseRecord(at, text.slice(i, end), limits));
    i = skipWs(text, end);
    if (text[i] === ',') i = skipWs(text, i + 1);
    else if (text[i] !== ']' && i < text.length) {
      // Garbage between elements: report it and resynchronise at the next element.
      const at2: RecordLocation = { file, line: lineOf(i), index: out.length };
      out.push({
        at: at2,
        raw: text.slice(i, i + 80),
        error: new RecordError(at2, '(record)', 'expected `,` or `]` between records'),
      });
      i = skipWs(text, skipValue(text, i));
      if (text[i] === ',') i = skipWs(text, i + 1);
    }
  }
  if (i >= text.length && out.length > 0) {
    const last = out[out.length - 1] as RawRecord;
    if (!last.error) {
      // The array never closes: the file was cut off after this element.
      last.error = new RecordError(
        last.at,
        '(record)',
        'the file ends before the array is closed with `]`; it may be truncated',
      );
    }
  }
  return out;
}

/** Raw text spans of the elements of the JSON array that starts at `start`. */
export function arrayElementSpans(text: string, start: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let i = skipWs(text, start + 1);
  while (i < text.length && text[i] !== ']') {
    const end = skipValue(text, i);
    spans.push({ start: i, end });
    i = skipWs(text, end);
    if (text[i] !== ',') break;
    i = skipWs(text, i + 1);
  }
  return spans;
}

/** Raw text spans of the members of the JSON object starting at `start`, by key. */
export function objectMembers(
  text: string,
  start: number,
): Map<string, { start: number; end: number }> {
  const members = new Map<string, { start: number; end: number }>();
  let i = skipWs(text, start + 1);
  while (i < text.length && text[i] === '"') {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') break;
    i = skipWs(text, i + 1);
    const end = skipValue(text, i);
    members.set(key, { start: i, end });
    i = skipWs(text, end);
    if (text[i] === ',') i = skipWs(text, i + 1);
    else break;
  }
  return members;
}

export function skipWs(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 92)
      j += 2; // backslash escapes the next character
    else if (c === 34) return j + 1;
    else j++;
  }
  return text.length;
}

/** End (exclusive) of the JSON value starting at `i`; the text's end when it never closes. */
export function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    let j = i;
    while (j < text.length) {
      const ch = text.charCodeAt(j);
      if (ch === 34) {
        j = skipString(text, j);
        continue;
      }
      if (ch === 123 || ch === 91) depth++;
      else if (ch === 125 || ch === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !/[,\]}\s]/.test(text[j] as string)) j++;
  return j === i ? i + 1 : j;
}

/**
 * All records of a file's text, whatever its container. For a JSON object the records are the
 * elements of its `tasks` member; the object's other members come back as `header`.
 */
export function readRecords(
  file: string,
  text: string,
  limits: ReadLimits = DEFAULT_LIMITS,
): { container: Container; records: RawRecord[]; header?: Record<string, unknown> } {
  const container = detectContainer(file, text);
  if (container === 'jsonl') return { container, records: jsonlRecords(file, text, limits) };
  const start = skipWs(text, 0);
  const lineOf = lineIndex(text);
  if (container === 'json-array') {
    if (text[start] !== '[') {
      const at = { file, line: lineOf(start), index: 0 };
      return {
        container,
        records: [
          {
            at,
            raw: text.slice(start, start + 80),
            error: new RecordError(at, '(file)', 'expected a JSON array [...] of task records'),
          },
        ],
      };
    }
    return { container, records: arrayRecords(file, text, start, limits, lineOf) };
  }
  const members = objectMembers(text, start);
  const header: Record<string, unknown> = {};
  for (const [key, span] of members) {
    if (key === 'tasks') continue;
    const v = tryParse(text.slice(span.start, span.end));
    if (v !== undefined) header[key] = v;
  }
  const tasks = members.get('tasks');
  if (!tasks || text[tasks.start] !== '[') {
    const at = { file, line: 1, index: 0 };
    return {
      container,
      header,
      records: [
        {
          at,
          raw: text.slice(0, 80),
          error: new RecordError(
            at,
            'tasks',
            'a JSON object file must hold its tasks in a `tasks` array',
          ),
        },
      ],
    };
  }
  return { container, header, records: arrayRecords(file, text, tasks.start, limits, lineOf) };
}
