/**
 * Model files kept in the origin-private file system (OPFS), in a folder of their own
 * (`athanor-models/`, apart from wllama's download cache). Each is written under a temporary
 * name and renamed into place only once it is whole, so a copy cut short by a crash, a full disk
 * or a cancel never passes for a model; `discardPartial` clears such leftovers.
 *
 * Their records (sha256, size, what the header says) live in the `models` table; this module
 * only moves bytes.
 */

const DIR = 'athanor-models';
const PARTIAL = '.partial';

async function folder(): Promise<FileSystemDirectoryHandle> {
  if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) {
    throw new Error(
      'This browser has no origin-private file system, so it cannot keep model files. Use a recent Chrome, Edge, Firefox or Safari.',
    );
  }
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR, { create: true });
}

export interface WriteOptions {
  signal?: AbortSignal;
  /** Called with every chunk as it is written (the caller hashes it). */
  onChunk?: (chunk: Uint8Array<ArrayBuffer>) => void;
}

/**
 * Writes a stream to `name` in the models folder; the file appears under its name only when
 * the whole stream was written. Returns the bytes written.
 */
export async function writeModelFile(
  name: string,
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  opts: WriteOptions = {},
): Promise<number> {
  const dir = await folder();
  const partialName = name + PARTIAL;
  const handle = await dir.getFileHandle(partialName, { create: true });
  const writable = await handle.createWritable();
  const reader = stream.getReader();
  let bytes = 0;
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
      const { done, value } = await reader.read();
      if (done) break;
      opts.onChunk?.(value);
      await writable.write(value);
      bytes += value.byteLength;
    }
    await writable.close();
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    await writable.abort().catch(() => undefined);
    await dir.removeEntry(partialName).catch(() => undefined);
    throw err;
  }
  // `move` renames in place (Chromium, Firefox, Safari 17+); where it is missing, copy whole.
  const movable = handle as FileSystemFileHandle & {
    move?: (dir: FileSystemDirectoryHandle, name: string) => Promise<void>;
  };
  // A file stored again under the same name replaces the old copy, once the new one is whole.
  await dir.removeEntry(name).catch(() => undefined);
  if (movable.move) await movable.move(dir, name);
  else {
    const target = await (await dir.getFileHandle(name, { create: true })).createWritable();
    await (await handle.getFile()).stream().pipeTo(target);
    await dir.removeEntry(partialName);
  }
  return bytes;
}

/** The stored file (a Blob backed by the disk: reading it does not load it into memory). */
export async function readModelFile(name: string): Promise<File | undefined> {
  try {
    return await (await (await folder()).getFileHandle(name)).getFile();
  } catch {
    return undefined;
  }
}

export async function deleteModelFile(name: string): Promise<void> {
  await (await folder()).removeEntry(name).catch((err: unknown) => {
    if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err;
  });
}

/** Names and sizes of the files in the models folder, leftovers of unfinished copies included. */
export async function listModelFiles(): Promise<{ name: string; bytes: number }[]> {
  const dir = await folder();
  const out: { name: string; bytes: number }[] = [];
  for await (const [name, handle] of (
    dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }
  ).entries()) {
    if (handle.kind === 'file')
      out.push({ name, bytes: (await (handle as FileSystemFileHandle).getFile()).size });
  }
  return out;
}

/** Removes the leftovers of copies that never finished. */
export async function discardPartial(): Promise<void> {
  const dir = await folder();
  for (const f of await listModelFiles())
    if (f.name.endsWith(PARTIAL)) await dir.removeEntry(f.name).catch(() => undefined);
}
