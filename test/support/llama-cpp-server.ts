/**
 * A real third-party OpenAI-compatible server for tests: llama-cpp-python's `llama_cpp.server`
 * (PyPI 0.3.36), built by `scripts/llama-server.sh` into a cached virtual environment, started on a
 * free port with its own defaults (so `--interrupt_requests` is on: it cuts a streamed answer
 * short whenever another request waits). Tests start and stop it themselves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

const VENV = process.env.ATHANOR_LLAMA_ENV ?? join(homedir(), '.cache/athanor/llama-server');
const WANT = 'llama-cpp-python[server]==0.3.36';

/**
 * The server's Python: ATHANOR_LLAMA_PYTHON (`.ci/run` exports it), else the script's venv when
 * its stamp says it is the pinned build. Missing: an error under CI, undefined elsewhere.
 */
export function llamaPython(): string | undefined {
  const fromEnv = process.env.ATHANOR_LLAMA_PYTHON;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const python = join(VENV, 'bin/python');
  const stamp = join(VENV, '.athanor-llama');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === WANT)
    return python;
  if (process.env.CI) {
    throw new Error(
      `llama-cpp-python's server is not built (${fromEnv ?? python}): run \`bash scripts/llama-server.sh\` ` +
        '(about 10 minutes the first time; `.ci/run` does it) and export ATHANOR_LLAMA_PYTHON=<the path it prints>.',
    );
  }
  return undefined;
}

export interface LlamaCppServer {
  apiBase: string;
  origin: string;
  /** The model id the server lists (its `--model_alias`). */
  model: string;
  /** Milliseconds from spawn to the first answer of `/v1/models`. */
  startMs: number;
  /** Everything the server wrote, for a failing test's message. */
  log(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((ok) => probe.close(() => ok()));
  return port;
}

export async function startLlamaCppServer(o: {
  python: string;
  modelPath: string;
  alias: string;
  nCtx?: number;
  threads?: number;
  /** Extra flags, e.g. ['--interrupt_requests', 'false']. */
  args?: string[];
  startTimeoutMs?: number;
}): Promise<LlamaCppServer> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    o.python,
    [
      '-m',
      'llama_cpp.server',
      '--model',
      o.modelPath,
      '--model_alias',
      o.alias,
      '--n_ctx',
      String(o.nCtx ?? 2048),
      '--n_threads',
      String(o.threads ?? 2),
      '--n_threads_batch',
      String(o.threads ?? 2),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...(o.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (d: Buffer): void => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 90_000);
  const stop = (): Promise<void> =>
    new Promise<void>((ok) => {
      if (exited !== undefined) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    });
  for (;;) {
    if (exited !== undefined)
      throw new Error(
        `llama_cpp.server exited (${exited}) before it answered:\n${log.slice(-2000)}`,
      );
    try {
      const res = await fetch(`${origin}/v1/models`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `llama_cpp.server did not answer within the start limit:\n${log.slice(-2000)}`,
      );
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  return {
    apiBase: `${origin}/v1`,
    origin,
    model: o.alias,
    startMs: performance.now() - started,
    log: () => log,
    close: stop,
  };
}
