/**
 * llama-cpp-python's OpenAI-compatible server (`llama_cpp.server`, PyPI 0.3.36, built by
 * scripts/llama-server.sh) on a GGUF, for bench:real. Started with `--interrupt_requests false`:
 * by default the server ends a streamed answer early when another request waits (issue 22), and
 * the bench talks to it one request at a time anyway, so every answer is a whole answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CachedEngine, type CompletionStore } from '../../src/engines/cache';
import { serverPort } from '../../src/engines/openai';

export interface LlamaServer {
  apiBase: string;
  model: string;
  python: string;
  close(): Promise<void>;
}

/** The server's interpreter: ATHANOR_LLAMA_PYTHON, else the cached venv the build script makes. */
export function llamaPython(): string {
  const py =
    process.env.ATHANOR_LLAMA_PYTHON ?? join(homedir(), '.cache/athanor/llama-server/bin/python');
  if (!existsSync(py))
    throw new Error(
      `llama-cpp-python's server is not built (${py}). Build it with: bash scripts/llama-server.sh`,
    );
  return py;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function startLlamaServer(o: {
  modelPath: string;
  alias: string;
  threads: number;
  ctx?: number;
}): Promise<LlamaServer> {
  const python = llamaPython();
  const port = await freePort();
  const args = [
    '-m',
    'llama_cpp.server',
    '--model',
    o.modelPath,
    '--model_alias',
    o.alias,
    '--n_threads',
    String(o.threads),
    '--n_threads_batch',
    String(o.threads),
    '--n_ctx',
    String(o.ctx ?? 4096),
    '--interrupt_requests',
    'false',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  const child: ChildProcess = spawn(python, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  // A bench killed or failing must not leave its server running.
  process.once('exit', () => child.kill('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      child.kill('SIGKILL');
      process.exit(130);
    });
  const apiBase = `http://127.0.0.1:${port}/v1`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`llama_cpp.server exited (${child.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${apiBase}/models`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`llama_cpp.server did not answer within 3 minutes: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    apiBase,
    model: o.alias,
    python,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        // uvicorn waits for the request in flight; a bench that stops does not.
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * A server's model as bench:real asks it: one request at a time, through the answer cache, under
 * a fixed model id so the cache does not depend on the port the server got this time.
 */
export function cachedServerModel(server: LlamaServer, store: CompletionStore): CachedEngine {
  const port = serverPort({
    apiBase: server.apiBase,
    model: server.model,
    modelId: `${server.model}@llama-cpp-python`,
    concurrency: 1,
  });
  return new CachedEngine(port, store);
}
