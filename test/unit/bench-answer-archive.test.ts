/**
 * bench:real's answer archive (bench/real/store.ts): the answers a new machine resumes from. It
 * must give back each answer under its key, keep the datasets' text (the request messages) out of
 * the repository, write the same bytes for the same answers, and refuse a damaged file in words.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileCompletionStore, readArchive } from '../../bench/real/store';
import type { CompletionEntry } from '../../src/engines/cache';

const TASK_TEXT = 'def has_close_elements(numbers, threshold):';

function entry(key: string, text: string, createdAt: number): CompletionEntry {
  return {
    key,
    model: 'qwen2.5-coder-0.5b-instruct-q4_k_m',
    request: {
      messages: [{ role: 'user', content: TASK_TEXT }],
      sampling: { temperature: 0, max_tokens: 768 },
      purpose: 'generate',
    },
    completion: {
      text,
      usage: { promptTokens: 120, completionTokens: 40 },
      latencyMs: 900,
      model: 'qwen2.5-coder-0.5b-instruct-q4_k_m',
      finishReason: 'stop',
    },
    createdAt,
  };
}

async function archivedStore(dir: string): Promise<string> {
  const archive = join(dir, 'answers.jsonl.gz');
  const store = new FileCompletionStore(join(dir, 'a', 'completions.jsonl'), archive);
  await store.put(entry('k2', '```python\nreturn 2\n```', 2000));
  await store.put(entry('k1', '```python\nreturn 1\n```', 1000));
  store.saveArchive();
  return archive;
}

describe('bench:real answer archive', () => {
  it('answers from the archive on a machine whose own cache is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-'));
    const archive = await archivedStore(dir);
    const fresh = new FileCompletionStore(join(dir, 'b', 'completions.jsonl'), archive);
    expect((await fresh.get('k2'))?.completion.text).toBe('```python\nreturn 2\n```');
  });

  it('keeps the request messages (the datasets’ text) out of the archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-'));
    const archive = await archivedStore(dir);
    expect(gunzipSync(readFileSync(archive)).toString('utf8')).not.toContain(TASK_TEXT);
  });

  it('writes the same bytes for the same answers, whatever order they came in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-'));
    const first = readFileSync(await archivedStore(dir));
    const other = join(dir, 'other.jsonl.gz');
    const store = new FileCompletionStore(join(dir, 'c', 'completions.jsonl'), other);
    await store.put(entry('k1', '```python\nreturn 1\n```', 1000));
    await store.put(entry('k2', '```python\nreturn 2\n```', 2000));
    store.saveArchive();
    expect(readFileSync(other).equals(first)).toBe(true);
  });

  it('says how to restore a damaged archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archive-'));
    const archive = await archivedStore(dir);
    const { gzipSync } = await import('node:zlib');
    writeFileSync(archive, gzipSync('{"key":"k1",\n'));
    expect(() => readArchive(archive)).toThrow(
      /line 1, is not an archived answer: restore the file/,
    );
  });
});
