/**
 * The pinned files under ../shared (test/support/models.ts): the real stories260K matches its
 * pin from ../shared/models/README.md, and a copy with one byte changed is refused by name.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSharedPin } from '../support/models';
import { requireShared } from '../support/paths';

describe('pinned files under ../shared', () => {
  it('reads stories260K only when it is the pinned file', () => {
    const real = requireShared('models', 'stories260K.gguf'); // checks the pin on the way
    expect(() => checkSharedPin('models/stories260K.gguf', real)).not.toThrow();
    const dir = mkdtempSync(join(tmpdir(), 'athanor-pin-'));
    const copy = join(dir, 'stories260K.gguf');
    copyFileSync(real, copy);
    const bytes = readFileSync(copy);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(copy, bytes);
    expect(() => checkSharedPin('models/stories260K.gguf', copy)).toThrow(
      /is not the pinned models\/stories260K\.gguf \(1185376 bytes, sha256 [0-9a-f]{64}; pinned 1185376 bytes, 270cba1b/,
    );
  });
});
