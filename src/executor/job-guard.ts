/**
 * Watches the JavaScript side of a worker while a job runs. A job is graded synchronously, so
 * anything it schedules in JavaScript (a timer, an immediate, a microtask, a promise callback)
 * can only run after it ended: between jobs or during a later one, where it could change that
 * job's verdict. Pyodide's asyncio loop (webloop) schedules every callback this way, and a job
 * that reaches a JS proxy can do it directly.
 *
 * The guard wraps the scheduling functions of the worker's global scope: while a job runs, the
 * timers it creates are recorded and cleared when the job ends, and any use at all is reported,
 * so the worker is recycled (microtasks cannot be cancelled; a recycled worker is terminated
 * before it takes another job). See docs/sandbox.md, "Channels between jobs".
 */

type Fn = (...args: unknown[]) => unknown;

export interface JobGuard {
  /** A job starts: record from now on. */
  begin(): void;
  /** The job ended: clear what it scheduled; returns what it used ('' when nothing). */
  end(): string;
}

interface Scope {
  [name: string]: unknown;
}

const TIMERS: [string, string][] = [
  ['setTimeout', 'clearTimeout'],
  ['setInterval', 'clearInterval'],
  ['setImmediate', 'clearImmediate'],
];
const UNCANCELLABLE = ['queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback'];

export function installJobGuard(scope: Scope = globalThis as unknown as Scope): JobGuard {
  let active = false;
  const used = new Set<string>();
  const pending: [Fn, unknown][] = [];

  for (const [set, clear] of TIMERS) {
    const orig = scope[set];
    const cancel = scope[clear];
    if (typeof orig !== 'function' || typeof cancel !== 'function') continue;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      const handle = (orig as Fn).apply(this, args);
      if (active) {
        used.add(set);
        pending.push([cancel as Fn, handle]);
      }
      return handle;
    };
    scope[set] = wrapped;
  }
  for (const name of UNCANCELLABLE) {
    const orig = scope[name];
    if (typeof orig !== 'function') continue;
    scope[name] = function (this: unknown, ...args: unknown[]): unknown {
      if (active) used.add(name);
      return (orig as Fn).apply(this, args);
    };
  }
  // Promise callbacks registered during a job run after it, as microtasks.
  const proto = Promise.prototype as unknown as Record<string, Fn>;
  for (const name of ['then', 'catch', 'finally']) {
    const orig = proto[name]!;
    Object.defineProperty(Promise.prototype, name, {
      value: function (this: unknown, ...args: unknown[]): unknown {
        if (active) used.add(`Promise.${name}`);
        return orig.apply(this, args);
      },
      writable: true,
      configurable: true,
    });
  }

  return {
    begin(): void {
      active = true;
      used.clear();
    },
    end(): string {
      active = false;
      for (const [cancel, handle] of pending.splice(0)) cancel(handle);
      const what = [...used].sort().join(', ');
      used.clear();
      return what;
    },
  };
}
