/**
 * Methods part of bench:real: prompt optimizers on a real model, on one fixed split of HumanEval+
 * (feedback tasks the methods learn from, validation tasks they select on, the rest held out),
 * each at the same budget of task gradings (answers generated and graded while optimizing), then
 * the final prompt graded greedily on every held-out task. Beside Athanor's methods, the official
 * `gepa` library (PyPI 0.1.4) runs from bench/gepa-official.py through its adapter API, against
 * the same server, split, seed prompt, budget and scoring: its adapter asks this process to
 * generate and grade (an HTTP service over the same scorer), so both GEPAs see identical answers.
 *
 * Unit of analysis: the held-out task. Each method is compared with zero-shot and with the official
 * gepa on the same held-out tasks (compareTaskLevel: exact within-task relabelling test; with one seed each it is the sign-flip test),
 * p-values Holm-adjusted over all those comparisons together, leaving out those no outcome could
 * make significant (no task that can tell, or a single one with one seed: Tarone 1990).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BudgetMeter } from '../../src/core/budget';
import type { ExecPort, LlmPort } from '../../src/core/ports';
import { Rng } from '../../src/core/rng';
import { compareTaskLevel, holmAdjustComparisons } from '../../src/core/task-stats';
import type { Completion, CompletionRequest, Task } from '../../src/core/types';
import { makeCandidate } from '../../src/optimizers/common';
import { feedbackFor, renderFeedback } from '../../src/optimizers/feedback';
import { getOptimizer } from '../../src/optimizers/registry';
import { createScorer, memoryEvaluationLog, type ScoreFn } from '../../src/optimizers/scoring';
import type { OptimizerContext, OptimizerEvent } from '../../src/optimizers/types';
import { requireShared } from '../../test/support/paths';
import { toolsPython } from '../../test/support/python';
import { routeByRole } from '../../src/runner/roles';
import { loadValidated } from './tasks';

const METHODS = ['zero-shot', 'chain-of-thought', 'prochemy', 'gepa', 'gpo', 'ppo'] as const;

interface RoleUse {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /**
   * Model time of those calls: each answer's own latency, also for one read back from the answer
   * cache, so a resumed run reports what an uninterrupted one would have taken (absent in results
   * kept before it was counted).
   */
  ms?: number;
}
export interface MethodResult {
  method: string;
  seed: number;
  gradings: number;
  roles: Record<string, RoleUse>;
  stop: string;
  prompt: string;
  /** Held-out task id → strict pass (0/1), in split order. */
  heldout: number[];
  /** Wall time of the process that finished the method (a resumed run: its last part only). */
  minutes: number;
  /** Model time of the held-out answers (absent in results kept before it was counted). */
  heldoutMs?: number;
}

/** The budget of task gradings a method may spend, enforced beside the usual limits. */
class GradingMeter extends BudgetMeter {
  gradings = 0;
  constructor(readonly maxGradings: number) {
    // A call cap as a safety net: no method should need more than 3 calls per grading.
    super({ maxLlmCalls: 3 * maxGradings });
  }
  override limitReached(): ReturnType<BudgetMeter['limitReached']> {
    if (this.gradings >= this.maxGradings) return 'llm-calls';
    return super.limitReached();
  }
}

/** Counts calls and tokens per role (generation vs. meta: mutate, reflect, rewrite …). */
function roleCounter(inner: LlmPort, roles: Record<string, RoleUse>): LlmPort {
  return {
    modelId: inner.modelId,
    concurrency: inner.concurrency,
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      const c = await inner.complete(req, signal);
      const role = req.purpose === 'generate' ? 'generate' : `meta:${req.purpose ?? 'other'}`;
      const r = (roles[role] ??= { calls: 0, promptTokens: 0, completionTokens: 0, ms: 0 });
      r.calls += 1;
      r.ms = (r.ms ?? 0) + (c.cached ? (c.firstLatencyMs ?? 0) : c.latencyMs);
      r.promptTokens += c.usage.promptTokens;
      r.completionTokens += c.usage.completionTokens;
      // Every answer counts against the budget, from the cache or not: a resumed bench spends
      // exactly what an uninterrupted one does.
      return { ...c, cached: false };
    },
  };
}

interface Split {
  feedback: Task[];
  validation: Task[];
  heldout: Task[];
}

function makeSplit(
  all: Task[],
  sizes: { feedback: number; validation: number; heldout?: number },
): Split {
  const rng = Rng.seeded(22);
  const order = [...all];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const f = sizes.feedback;
  const v = sizes.validation;
  return {
    feedback: order.slice(0, f),
    validation: order.slice(f, f + v),
    heldout: order.slice(f + v, sizes.heldout ? f + v + sizes.heldout : undefined),
  };
}

function context(o: {
  llm: LlmPort;
  exec: ExecPort;
  split: Split;
  meter: GradingMeter;
  maxTokens: number;
  /** Progress of a method that runs for an hour: each score and note, with the gradings spent. */
  log: (s: string) => void;
  method: string;
}): OptimizerContext & { events: OptimizerEvent[] } {
  const { llm, exec, split, meter } = o;
  const signal = new AbortController().signal;
  const events: OptimizerEvent[] = [];
  const score = createScorer({
    llm,
    exec,
    generate: { temperature: 0, max_tokens: o.maxTokens },
    meter,
    signal,
    log: memoryEvaluationLog(),
    codeOnly: true,
    onEvaluation: () => void (meter.gradings += 1),
  });
  return {
    train: split.feedback,
    validation: split.validation,
    async complete(req) {
      meter.assertAvailable();
      const c = await llm.complete(req, signal);
      meter.record(c.usage);
      return c;
    },
    score,
    feedback: feedbackFor(split.feedback, split.validation),
    budget: meter,
    signal,
    emit: (e) => {
      events.push(e);
      const spent = `${meter.gradings}/${meter.maxGradings} gradings, ${meter.llmCalls} calls`;
      if (e.type === 'scored')
        o.log(
          `  ${o.method} step ${e.step}: ${e.score.perTask.filter((p) => p.passed).length}/${e.score.perTask.length} passed (${e.prompt.operator} ${e.prompt.id.slice(0, 8)}); ${spent}`,
        );
      else if (e.type === 'note') o.log(`  ${o.method} step ${e.step}: ${e.message} (${spent})`);
    },
    events,
  };
}

/** The same port, logging every `every`-th answer: the held-out phase runs for an hour. */
function answerProgress(
  inner: LlmPort,
  total: number,
  log: (s: string) => void,
  every = 10,
): LlmPort {
  let n = 0;
  return {
    ...inner,
    async complete(req: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      const c = await inner.complete(req, signal);
      n += 1;
      if (n % every === 0 || n === total) log(`  held-out: ${n} of ${total} answers`);
      return c;
    },
  };
}

async function heldoutScore(
  llm: LlmPort,
  exec: ExecPort,
  prompt: string,
  tasks: Task[],
  maxTokens: number,
  log: (s: string) => void,
): Promise<number[]> {
  const score: ScoreFn = createScorer({
    llm: answerProgress(llm, tasks.length, log),
    exec,
    generate: { temperature: 0, max_tokens: maxTokens },
    log: memoryEvaluationLog(),
    racing: false,
    codeOnly: true,
  });
  const r = await score(await makeCandidate(prompt, [], 'seed', 0), tasks);
  const byId = new Map(r.perTask.map((p) => [p.taskId, p.passed ? 1 : 0]));
  return tasks.map((t) => byId.get(t.id) ?? 0);
}

const KNOBS = (f: number, v: number): Record<string, Record<string, number>> => ({
  'zero-shot': { trainTasks: f },
  'chain-of-thought': { trainTasks: f },
  prochemy: { trainTasks: f, variants: 4, rounds: 50, patience: 10 },
  gepa: { trainTasks: f, paretoTasks: v, iterations: 500, maxMetricCalls: 0 },
  gpo: { trainTasks: f, steps: 50, candidates: 2, patience: 20 },
  ppo: { trainTasks: f, maxSteps: 1000 },
});

/**
 * The service the official gepa's adapter calls: POST /evaluate {prompt, taskIds} grades through
 * this method's scorer (counted in its budget) and answers per task {input, passed, feedback,
 * answer}, input being the task statement the model read; POST
 * /reflect {prompt} asks the model as a meta request.
 */
async function gepaService(
  ctx: OptimizerContext,
  tasks: Map<string, Task>,
  meter: GradingMeter,
): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      void (async () => {
        try {
          const q = JSON.parse(body) as { prompt: string; taskIds?: string[] };
          let out: unknown;
          if (req.url === '/evaluate') {
            const ts = q.taskIds!.map((id) => tasks.get(id)!);
            const cand = await makeCandidate(q.prompt, [], 'gepa-official', 0);
            const before = meter.gradings;
            const s = await ctx.score(cand, ts);
            // The official gepa prints nothing here: each evaluation is a progress line.
            ctx.emit({ type: 'scored', step: 0, prompt: cand, score: s });
            out = {
              budget: s.stoppedBy === 'budget' || ctx.budget.exhausted(),
              // Answers graded for this request; the rest were graded before (the scorer's memo).
              fresh: meter.gradings - before,
              results: s.perTask.map((p) => ({
                taskId: p.taskId,
                // The user message the model answered: gepa's reflection shows it as the input.
                input: tasks.get(p.taskId)!.prompt,
                passed: p.passed,
                feedback: renderFeedback(ctx.feedback(p)),
                answer: p.completion?.text ?? '',
              })),
            };
          } else {
            const c = await ctx.complete({
              messages: [{ role: 'user', content: q.prompt }],
              sampling: { temperature: 0, max_tokens: 512 },
              purpose: 'rewrite',
            });
            out = { text: c.text };
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(out));
        } catch (e) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function runOfficialGepa(o: {
  ctx: OptimizerContext;
  meter: GradingMeter;
  split: Split;
  seedPrompt: string;
  maxGradings: number;
  seed: number;
  log: (s: string) => void;
}): Promise<{ prompt: string; stop: string }> {
  const tasks = new Map([...o.split.feedback, ...o.split.validation].map((t) => [t.id, t]));
  const server = await gepaService(o.ctx, tasks, o.meter);
  try {
    const port = (server.address() as AddressInfo).port;
    const args = JSON.stringify({
      service: `http://127.0.0.1:${port}`,
      seedPrompt: o.seedPrompt,
      train: o.split.feedback.map((t) => t.id),
      val: o.split.validation.map((t) => t.id),
      maxMetricCalls: o.maxGradings,
      seed: o.seed,
    });
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        toolsPython,
        [join(import.meta.dirname, '..', 'gepa-official.py'), args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-3000)));
      child.on('exit', (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`gepa-official.py exited ${code}: ${stderr}`)),
      );
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { prompt: string; stop: string };
    return r;
  } finally {
    server.close();
  }
}

export async function partMethods(o: {
  quick: boolean;
  llm: () => Promise<LlmPort>;
  /**
   * An optimizer model: it answers every request but code generation (routeByRole, as a run with
   * New run's optimizer model does). Its results are kept and printed apart, as `method+refl`.
   */
  reflection?: { llm: () => Promise<LlmPort>; label: string };
  exec: () => ExecPort;
  stored: <T>(part: string) => T | undefined;
  keep: (part: string, v: unknown) => void;
  log: (s: string) => void;
  cacheDir: string;
  seedPrompt: string;
  maxTokens: number;
}): Promise<void> {
  const sizes = o.quick
    ? { feedback: 2, validation: 1, heldout: 2 }
    : { feedback: 20, validation: 20 };
  const maxGradings = o.quick ? 4 : Number(process.env.BENCH_REAL_GRADINGS ?? 200);
  const seeds = (process.env.BENCH_REAL_SEEDS ?? '1').split(',').map(Number);
  const all = await loadValidated(
    requireShared('datasets', 'HumanEvalPlus.jsonl.gz'),
    o.exec(),
    o.cacheDir,
    o.log,
  );
  const split = makeSplit(all, sizes);
  const results: MethodResult[] = [];
  // BENCH_REAL_METHODS runs a subset (e.g. in a second process; each result is its own file).
  const only = process.env.BENCH_REAL_METHODS?.split(',');
  if (o.reflection) o.log(`methods: optimizer model ${o.reflection.label} (meta requests only)`);
  // The baselines ask no meta request: with an optimizer model their results are the same.
  const suffix = o.reflection ? '-refl-' + o.reflection.label.replace(/\.gguf$/i, '') : '';
  for (const seed of seeds) {
    for (const method of [...METHODS, 'gepa-official'].filter((m) => !only || only.includes(m))) {
      const usesMeta = method !== 'zero-shot' && method !== 'chain-of-thought';
      const part = `method-${method}-seed${seed}${usesMeta ? suffix : ''}`;
      let r = o.stored<MethodResult>(part);
      if (!r) {
        o.log(`methods: ${method}, seed ${seed}, budget ${maxGradings} task gradings`);
        const t0 = performance.now();
        const roles: Record<string, RoleUse> = {};
        const base = await o.llm();
        const routed =
          o.reflection && usesMeta ? routeByRole(base, await o.reflection.llm()) : base;
        const llm = roleCounter(routed, roles);
        const meter = new GradingMeter(maxGradings);
        const ctx = context({
          llm,
          exec: o.exec(),
          split,
          meter,
          maxTokens: o.maxTokens,
          log: o.log,
          method,
        });
        let prompt: string;
        let stop: string;
        if (method === 'gepa-official') {
          ({ prompt, stop } = await runOfficialGepa({
            ctx,
            meter,
            split,
            seedPrompt: o.seedPrompt,
            maxGradings,
            seed,
            log: o.log,
          }));
        } else {
          const opt = getOptimizer(method);
          const knobs = KNOBS(split.feedback.length, split.validation.length)[method] ?? {};
          let state = await opt.init({ knobs, seed, initialPrompt: o.seedPrompt }, ctx);
          for (let i = 0; i < 5000 && !state.done; i++) state = await opt.step(state, ctx);
          prompt = state.best?.prompt.text ?? o.seedPrompt;
          stop = state.stopReason ?? '?';
        }
        const gradings = meter.gradings;
        const heldRoles: Record<string, RoleUse> = {};
        const heldout = await heldoutScore(
          roleCounter(base, heldRoles),
          o.exec(),
          prompt,
          split.heldout,
          o.maxTokens,
          o.log,
        );
        r = {
          method: usesMeta && o.reflection ? `${method}+refl` : method,
          seed,
          gradings,
          roles,
          stop,
          prompt,
          heldout,
          minutes: (performance.now() - t0) / 60000,
          heldoutMs: Object.values(heldRoles).reduce((a, u) => a + (u.ms ?? 0), 0),
        };
        o.keep(part, r);
      }
      results.push(r);
      printMethod(r, split.heldout.length);
    }
  }
  // With BENCH_REAL_METHODS, the comparisons among the methods this process has results for
  // (Holm over those only: a partial table's p-values are not the full table's).
  printComparisons(results, split.heldout, seeds);
}

function printMethod(r: MethodResult, n: number): void {
  const pass = r.heldout.reduce((a, b) => a + b, 0);
  const min = (ms: number): string => `${(ms / 60000).toFixed(1)} min`;
  const roles = Object.entries(r.roles)
    .map(
      ([k, v]) =>
        `${k} ${v.calls} calls ${v.promptTokens}+${v.completionTokens} tok${v.ms !== undefined ? ` ${min(v.ms)}` : ''}`,
    )
    .join('; ');
  const held = r.heldoutMs !== undefined ? `; held-out answers ${min(r.heldoutMs)}` : '';
  console.log(
    `  ${r.method.padEnd(17)} seed ${r.seed}: held-out pass@1 ${((100 * pass) / n).toFixed(1)}% (${pass}/${n}); ${r.gradings} gradings; ${roles}; stop ${r.stop}${held}; last process ${r.minutes.toFixed(1)} min`,
  );
  console.log(
    `    prompt: ${JSON.stringify(r.prompt.slice(0, 300))}${r.prompt.length > 300 ? '…' : ''}`,
  );
}

function printComparisons(results: MethodResult[], heldout: Task[], seeds: number[]): void {
  const matrix = (m: string): number[][] =>
    seeds.map((s) => results.find((r) => r.method === m && r.seed === s)!.heldout);
  // With an optimizer model the meta methods are named `method+refl`.
  const names = [...new Set(results.map((r) => r.method))];
  const official = names.find((m) => m.startsWith('gepa-official'));
  const pairs: { a: string; b: string }[] = [];
  for (const m of names) {
    if (m !== 'zero-shot' && names.includes('zero-shot')) pairs.push({ a: 'zero-shot', b: m });
    if (official && m !== official && m !== 'zero-shot') pairs.push({ a: official, b: m });
  }
  if (pairs.length === 0) return;
  const tests = pairs.map((p) => ({ ...p, c: compareTaskLevel(matrix(p.a), matrix(p.b)) }));
  const { adjusted, counted } = holmAdjustComparisons(tests.map((t) => t.c));
  const left = tests.length - counted;
  const leftOut =
    left > 0
      ? `; ${left} that no outcome could make significant keep Holm p 1 and are not counted, Tarone 1990`
      : '';
  console.log(
    `\nhead-to-head on ${heldout.length} held-out tasks (unit: task; ${seeds.length} seed(s); Δ = second − first, exact within-task relabelling test, p Holm-adjusted over ${counted} of ${tests.length} comparisons${leftOut}):`,
  );
  tests.forEach((t, i) =>
    console.log(
      `  ${t.b.padEnd(17)} vs ${t.a.padEnd(14)} Δ ${t.c.diff >= 0 ? '+' : ''}${(100 * t.c.diff).toFixed(1)} pts [${(100 * t.c.ci.lo).toFixed(1)}, ${(100 * t.c.ci.hi).toFixed(1)}], ${t.c.changed} tasks differ, p ${t.c.p.toFixed(3)}, Holm p ${adjusted[i]!.toFixed(3)}`,
    ),
  );
}
