/**
 * bench:real — Athanor on a real code model, checked against the official tools. docs/results.md
 * records a full run (date, machine, model files, server, commands, output).
 *
 *   npm run bench:real              # the full run (hours of model time on 2 cores)
 *   npm run bench:real -- --quick   # a few tasks per part: a smoke run of the whole path
 *   npm run bench:real -- --parts zero-shot-humaneval,throughput
 *
 * Parts, each printed as it completes and kept in ~/.cache/athanor/bench-real/results[-quick]/
 * (a rerun prints a finished part from there; `--fresh` redoes them). Every model answer is kept
 * in that directory's completion cache as it lands, so a run stopped anywhere resumes:
 * - zero-shot-humaneval, zero-shot-mbpp: zero-shot on all of HumanEval+ (164) and MBPP+ (378) with
 *   Qwen2.5-Coder-0.5B-Instruct Q4_K_M through the server engine (llama-cpp-python 0.3.36's
 *   server, one request at a time), graded by Athanor and by the official evalplus evaluator;
 * - throughput: wllama in Chromium against native llama.cpp on the same GGUF and threads
 *   (bench/real/throughput.ts);
 * - methods: the optimizers and the official gepa library on a fixed HumanEval+ split at one
 *   budget (bench/real/methods.ts).
 *
 * Env: BENCH_REAL_MODEL (GGUF; default the 0.5B from the model cache), BENCH_REAL_THREADS (2),
 * BENCH_REAL_DIR (the cache directory), BENCH_REAL_REVERSE (ask the zero-shot tasks last first),
 * BENCH_REAL_WLLAMA (throughput: only the wllama configurations whose names start so),
 * BENCH_REAL_REFLECTION (methods: a second GGUF, e.g. the 1.5B from the model cache, that answers
 * every request but code generation: the optimizer model of New run), ATHANOR_PYTHON (the tools
 * venv with evalplus and gepa), ATHANOR_LLAMA_PYTHON (the server's).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedEngine } from '../src/engines/cache';
import { createNodeExecPool, type ExecPool } from '../src/executor/node';
import { DEV_MODELS, devModelPath, type DevModel } from '../test/support/models';
import { requireShared } from '../test/support/paths';
import { toolsPython } from '../test/support/python';
import { cachedServerModel, startLlamaServer, type LlamaServer } from './real/server';
import { FileCompletionStore } from './real/store';
import { loadValidated } from './real/tasks';
import { zeroShot, type ZeroShotResult } from './real/zero-shot';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const FRESH = argv.includes('--fresh');
const ALL_PARTS = ['zero-shot-humaneval', 'zero-shot-mbpp', 'throughput', 'methods'] as const;
type Part = (typeof ALL_PARTS)[number];
const partsArg = argv[argv.indexOf('--parts') + 1];
const PARTS: Part[] =
  argv.includes('--parts') && partsArg ? (partsArg.split(',') as Part[]) : [...ALL_PARTS];
for (const p of PARTS)
  if (!ALL_PARTS.includes(p))
    throw new Error(`Unknown part "${p}": choose from ${ALL_PARTS.join(', ')}.`);

const CACHE = process.env.BENCH_REAL_DIR ?? join(homedir(), '.cache/athanor/bench-real');
const RESULTS = join(CACHE, QUICK ? 'results-quick' : 'results');
mkdirSync(RESULTS, { recursive: true });
const MODEL_FILE = process.env.BENCH_REAL_MODEL ?? devModelPath('qwen2.5-coder-0.5b');
const MODEL_ALIAS = 'qwen2.5-coder-0.5b-instruct-q4_k_m';
/**
 * The methods' optimizer model (New run's "optimizer model"): a GGUF path, or a development
 * model's name (`qwen2.5-coder-1.5b`). Unset: the task model answers the meta requests too.
 */
const REFLECTION_FILE = ((v) =>
  v === undefined || v === '' ? undefined : v in DEV_MODELS ? devModelPath(v as DevModel) : v)(
  process.env.BENCH_REAL_REFLECTION,
);
/** Threads of the throughput comparison (both sides). */
const THREADS = Number(process.env.BENCH_REAL_THREADS ?? 2);
/**
 * Threads of the server that answers the zero-shot and methods parts. One by default: llama.cpp's
 * threads spin while they wait for each other, and on a shared 2-core machine two of them were
 * starved to a few tokens a minute (15% CPU) while one thread keeps its core busy.
 */
const SERVER_THREADS = Number(process.env.BENCH_REAL_SERVER_THREADS ?? 1);
/** The New-run page's defaults: its starting prompt and answer budget. */
export const SEED_PROMPT =
  'You are an expert Python programmer. Write a correct, self-contained solution to the task. Reply with one Python code block.';
export const MAX_ANSWER_TOKENS = 768;
/** The Qwen2.5-Coder technical report (Hui et al. 2024, table 15), 0.5B-Instruct in bf16. */
const REPORT = { humaneval: 57.3, mbpp: 43.7 } as const;
const QUICK_TASKS = 3;

const log = (s: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

function stored<T>(part: string): T | undefined {
  const f = join(RESULTS, `${part}.json`);
  return !FRESH && existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as T) : undefined;
}
function keep(part: string, value: unknown): void {
  writeFileSync(join(RESULTS, `${part}.json`), JSON.stringify(value, null, 1));
}

let server: LlamaServer | undefined;
let reflectionServer: LlamaServer | undefined;
let pool: ExecPool | undefined;
/**
 * The answers archived in the repository (real/store.ts says why); BENCH_REAL_ARCHIVE names
 * another file, or none when empty.
 */
const ARCHIVE =
  process.env.BENCH_REAL_ARCHIVE ??
  fileURLToPath(new URL('results/real/answers.jsonl.gz', import.meta.url));
const store = new FileCompletionStore(join(CACHE, 'completions.jsonl'), ARCHIVE || undefined);
// However the run ends (finished, failed, or stopped by a signal), what it asked is archived.
process.on('exit', () => {
  if (!ARCHIVE) return;
  const n = store.saveArchive();
  console.log(`${n} answers archived in ${ARCHIVE}`);
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

async function llm(): Promise<CachedEngine> {
  server ??= await startLlamaServer({
    modelPath: MODEL_FILE,
    alias: MODEL_ALIAS,
    threads: SERVER_THREADS,
  });
  return cachedServerModel(server, store);
}
/** The optimizer model's server, beside the task model's; asked one request at a time too. */
async function reflectionLlm(file: string): Promise<CachedEngine> {
  reflectionServer ??= await startLlamaServer({
    modelPath: file,
    alias: file
      .split('/')
      .pop()!
      .replace(/\.gguf$/i, ''),
    threads: SERVER_THREADS,
  });
  return cachedServerModel(reflectionServer, store);
}
function execPool(): ExecPool {
  pool ??= createNodeExecPool({ size: 1, spares: 0 });
  return pool;
}

const pct = (k: number, n: number): string => `${((100 * k) / n).toFixed(1)}% (${k}/${n})`;

function printZeroShot(r: ZeroShotResult, report: number): void {
  console.log(
    `\nzero-shot ${r.set}: ${r.tasks} tasks, greedy, max ${MAX_ANSWER_TOKENS} answer tokens, the New-run default prompt`,
  );
  console.log(
    `  Athanor  pass@1 base ${pct(r.ours.base, r.tasks)}, plus ${pct(r.ours.plus, r.tasks)}`,
  );
  console.log(
    `  evalplus pass@1 base ${pct(r.official.base, r.tasks)}, plus ${pct(r.official.plus, r.tasks)}`,
  );
  console.log(
    `evalplus agreement: ${r.agree.base}/${r.tasks} base, ${r.agree.plus}/${r.tasks} plus`,
  );
  for (const d of r.disagreements.slice(0, 10)) console.log(`  differs: ${d}`);
  console.log(
    `  Qwen2.5-Coder report, 0.5B-Instruct: ${r.set} ${report.toFixed(1)} — bf16 weights (ours Q4_K_M), the report's own prompt and harness (ours the New-run default system prompt, the task as the user message, code extracted from the answer), greedy both`,
  );
  console.log(
    `  model time ${(r.modelMs / 60000).toFixed(1)} min of ${(r.wallMs / 60000).toFixed(1)} min wall; ${r.answerTokens} answer tokens (estimated where the server sent no usage); ${r.cachedAnswers} answers from the cache`,
  );
}

async function partZeroShot(set: 'humaneval' | 'mbpp'): Promise<void> {
  const part = `zero-shot-${set}`;
  const label = set === 'humaneval' ? 'HumanEval+' : 'MBPP+';
  let r = stored<ZeroShotResult>(part);
  if (!r) {
    const file = requireShared(
      'datasets',
      set === 'humaneval' ? 'HumanEvalPlus.jsonl.gz' : 'MbppPlus.jsonl.gz',
    );
    const tasks = await loadValidated(
      file,
      execPool(),
      CACHE,
      log,
      QUICK ? QUICK_TASKS : undefined,
    );
    // A second process can fill the answer cache from the other end (BENCH_REAL_REVERSE=1 with
    // its own BENCH_REAL_DIR); its completions.jsonl appended to this one, a rerun finds every
    // answer cached. Only the order of asking changes.
    if (process.env.BENCH_REAL_REVERSE) tasks.reverse();
    log(`${part}: ${tasks.length} tasks`);
    r = await zeroShot({
      set,
      label,
      dataFile: file,
      tasks,
      llm: await llm(),
      exec: execPool(),
      prompt: SEED_PROMPT,
      maxTokens: MAX_ANSWER_TOKENS,
      outDir: RESULTS,
      python: toolsPython,
      log,
    });
    keep(part, r);
  }
  printZeroShot(r, REPORT[set]);
}

async function main(): Promise<void> {
  console.log(
    `bench:real${QUICK ? ' --quick' : ''} — ${MODEL_FILE.split('/').pop()}${REFLECTION_FILE ? ` (optimizer model ${REFLECTION_FILE.split('/').pop()})` : ''}, server ${SERVER_THREADS} thread(s), throughput ${THREADS} threads, cache ${CACHE} (${store.size} answers stored)`,
  );
  try {
    for (const p of PARTS) {
      if (p === 'zero-shot-humaneval') await partZeroShot('humaneval');
      else if (p === 'zero-shot-mbpp') await partZeroShot('mbpp');
      else if (p === 'throughput') {
        const { partThroughput } = await import('./real/throughput');
        await partThroughput({
          quick: QUICK,
          modelFile: MODEL_FILE,
          threads: THREADS,
          stored,
          keep,
          log,
        });
      } else {
        const { partMethods } = await import('./real/methods');
        await partMethods({
          quick: QUICK,
          llm,
          ...(REFLECTION_FILE
            ? {
                reflection: {
                  llm: () => reflectionLlm(REFLECTION_FILE),
                  label: REFLECTION_FILE.split('/').pop()!,
                },
              }
            : {}),
          exec: execPool,
          stored,
          keep,
          log,
          cacheDir: CACHE,
          seedPrompt: SEED_PROMPT,
          maxTokens: MAX_ANSWER_TOKENS,
        });
      }
    }
  } finally {
    await reflectionServer?.close();
    await server?.close();
    await pool?.close();
  }
}

await main();
