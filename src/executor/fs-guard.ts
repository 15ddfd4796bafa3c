/**
 * Watches Pyodide's virtual file system (Emscripten's FS) while a job runs. Every Python file
 * operation (`open`, `os.mkdir`, `os.rename`, `shutil.rmtree`, ...) ends in one of the FS calls
 * wrapped here, so nothing a job writes can escape notice, wherever it is (a new module planted on
 * `sys.path`, a stdlib file overwritten, a file left in /tmp for the next job).
 *
 * After the job: what it created is deleted; if it changed, moved or removed anything that existed
 * before it, the worker is recycled (the interpreter starts again from the memory snapshot), since
 * putting old contents back is not worth the risk. Streams it left open are closed.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- Emscripten's FS object is untyped. */
type EmFS = Record<string, any>;

const O_WRITE_MASK = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000; // WRONLY, RDWR, CREAT, TRUNC, APPEND

export interface FsGuard {
  begin(): void;
  /** Delete what the job created, close what it left open; '' or why the worker must go. */
  end(): string;
}

export function installFsGuard(FS: EmFS): FsGuard {
  let active = false;
  const created = new Set<string>();
  const changed = new Set<string>();
  const streams: unknown[] = [];

  const abs = (p: unknown): string => {
    const s = typeof p === 'string' ? p : String((p as { path?: string })?.path ?? p);
    if (s.startsWith('/')) return s;
    try {
      return `${FS.cwd() as string}/${s}`.replace(/\/+/g, '/');
    } catch {
      return s;
    }
  };
  const exists = (p: string): boolean => {
    try {
      return !!FS.analyzePath(p).exists;
    } catch {
      return false;
    }
  };
  /** A path the job is about to create, or to change if it existed before the job. */
  const creating = (p: string): void => {
    if (created.has(p)) return;
    if (exists(p)) changed.add(p);
    else created.add(p);
  };
  const altering = (p: string): void => {
    if (!created.has(p)) changed.add(p);
  };

  const wrap = (name: string, before: (args: any[]) => void, after?: (r: any) => void): void => {
    const orig = FS[name];
    if (typeof orig !== 'function') return;
    FS[name] = function (this: unknown, ...args: any[]): unknown {
      if (active) before(args);
      const r = orig.apply(this, args);
      if (active && after) after(r);
      return r;
    };
  };

  wrap(
    'open',
    (a) => {
      const flags = typeof a[1] === 'number' ? a[1] : 0;
      if (flags & O_WRITE_MASK || typeof a[1] === 'string') {
        const p = abs(a[0]);
        if (!p.startsWith('/dev/')) creating(p);
      }
    },
    (stream) => streams.push(stream),
  );
  for (const name of ['mkdir', 'mknod', 'symlink']) {
    wrap(name, (a) => creating(abs(name === 'symlink' ? a[1] : a[0])));
  }
  for (const name of ['unlink', 'rmdir', 'truncate', 'chmod', 'lchmod', 'utime', 'chown']) {
    wrap(name, (a) => {
      if (typeof a[0] === 'string') altering(abs(a[0]));
    });
  }
  wrap('rename', (a) => {
    const from = abs(a[0]);
    const to = abs(a[1]);
    altering(from);
    created.delete(from);
    creating(to);
  });
  for (const name of ['ftruncate', 'fchmod', 'fchown']) {
    wrap(name, (a) => {
      try {
        const stream = FS.getStreamChecked(a[0]);
        altering(abs(stream.path));
      } catch {
        changed.add(`fd ${String(a[0])}`);
      }
    });
  }
  wrap('write', (a) => {
    const raw = a[0]?.path as string | undefined;
    const p = raw ? abs(raw) : '';
    if (p && !p.startsWith('/dev/')) altering(p);
  });

  return {
    begin(): void {
      active = true;
      created.clear();
      changed.clear();
      streams.length = 0;
    },
    end(): string {
      active = false;
      for (const s of streams.splice(0)) {
        try {
          if (!FS.isClosed(s)) FS.close(s);
        } catch {
          // already closed through another route
        }
      }
      // Deepest first, so a folder is empty when its turn comes.
      const paths = [...created].sort((a, b) => b.length - a.length);
      for (const p of paths) {
        try {
          const node = FS.lookupPath(p, { follow: false }).node;
          if (FS.isDir(node.mode)) FS.rmdir(p);
          else FS.unlink(p);
        } catch {
          if (exists(p)) changed.add(p);
        }
      }
      created.clear();
      const why = changed.size
        ? `the job changed files that existed before it: ${[...changed].slice(0, 3).join(', ')}`
        : '';
      changed.clear();
      return why;
    },
  };
}
