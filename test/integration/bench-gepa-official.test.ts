/**
 * bench:real's official-gepa driver (`bench/gepa-official.py`, the real `gepa` 0.1.4 in the tools
 * venv) spends its budget on the same unit as Athanor's methods: answers graded, each (prompt,
 * task) once. gepa re-evaluates a parent on minibatches it has already scored and, by default,
 * counts those again; with a scripted service that grades like bench:real's (its memo, its cut at
 * the budget), the driver must get the full budget of fresh gradings. The model is the scripted
 * part: the seed passes half the tasks and every proposal passes none, so gepa keeps the seed and
 * keeps reflecting on it, which is where the recount shows (about 120 of 200 without it).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonTools } from '../support/python';

const python = pythonTools();
const BUDGET = 200;
const SEED = 'Write a correct Python function.';
const train = Array.from({ length: 20 }, (_, i) => `train/${i}`);
const val = Array.from({ length: 20 }, (_, i) => `val/${i}`);

/** Grades as bench:real's service does: memo per (prompt, task), stop at the budget. */
/** The statement of a task, as bench:real's service sends it (the user message the model read). */
const statement = (id: string): string =>
  `def task_${id.replace('/', '_')}(x):\n    """Return x."""`;

function scriptedService(): {
  server: Server;
  graded: Set<string>;
  reflections: () => number;
  asked: string[];
} {
  const graded = new Set<string>();
  const asked: string[] = [];
  let reflections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      const q = JSON.parse(body) as { prompt: string; taskIds?: string[] };
      let out: unknown;
      if (req.url === '/evaluate') {
        const before = graded.size;
        const results = [];
        for (const id of q.taskIds!) {
          const key = `${q.prompt}\u0000${id}`;
          if (!graded.has(key)) {
            if (graded.size >= BUDGET) break;
            graded.add(key);
          }
          const passed = q.prompt === SEED && Number(id.split('/')[1]) % 2 === 0;
          results.push({
            taskId: id,
            input: statement(id),
            passed,
            feedback: 'failed: assert f(1) == 2',
            answer: 'x',
          });
        }
        out = { results, fresh: graded.size - before };
      } else {
        reflections += 1;
        asked.push(q.prompt);
        out = {
          text: `\`\`\`\nInstruction ${reflections}: write the function and test it.\n\`\`\``,
        };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  return { server, graded, reflections: () => reflections, asked };
}

describe.skipIf(!python)('bench/gepa-official.py budget accounting', () => {
  const svc = scriptedService();
  let last: { prompt: string } | undefined;
  beforeAll(async () => {
    await new Promise<void>((r) => svc.server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(svc.server.address() as AddressInfo).port}`;
    const args = JSON.stringify({
      service: url,
      seedPrompt: SEED,
      train,
      val,
      maxMetricCalls: BUDGET,
      seed: 1,
    });
    const script = join(import.meta.dirname, '..', '..', 'bench', 'gepa-official.py');
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(python!, [script, args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-3000)));
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)),
      );
    });
    last = JSON.parse(stdout.trim().split('\n').pop()!) as { prompt: string };
  }, 120_000);
  afterAll(() => void svc.server.close());

  it('spends the whole budget on answers graded once each', () => {
    expect({ graded: svc.graded.size, kept: last?.prompt }).toEqual({ graded: BUDGET, kept: SEED });
  });

  it("shows gepa's reflection each task's statement, as its own adapter shows the input", () => {
    // Every reflection reads a minibatch of training tasks: their statements, not only their ids.
    const without = svc.asked.filter((p) => !train.some((id) => p.includes(statement(id))));
    expect({ reflections: svc.asked.length > 0, without: without.length }).toEqual({
      reflections: true,
      without: 0,
    });
  });
});
