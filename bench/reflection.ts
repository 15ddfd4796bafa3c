/**
 * `npm run bench:reflection`: can a model follow GEPA's reflection meta-prompt? The same requests,
 * two models. It takes every first reflection request (no re-ask) a bench:real methods run stored
 * in its answer cache (~/.cache/athanor/bench-real/completions.jsonl, purpose `mutate`, one
 * message), answered there by the task model, and asks each again of a second model (default
 * Qwen2.5-Coder-1.5B-Instruct) with the same sampling and seed, through llama-cpp-python's server.
 *
 * Each answer is sorted by what GEPA's own parser (`parseReflection`) takes from it:
 * - none: no ``` block (GEPA re-asks);
 * - code: the block is Python code, a solution rather than an instruction (GEPA re-asks);
 * - unchanged: the instruction it was given, handed back;
 * - task: a programming task rather than an instruction (it starts "Task", "Your task" or "In this
 *   task", or defines a function) — the small model continuing the examples it was shown;
 * - instruction: anything else, a new instruction GEPA would score.
 *
 * Unit: the reflection request; paired design (both models answer the same requests). Prints the
 * counts per model and McNemar's exact test on "a new instruction" (core/stats.ts, as statsmodels'
 * `mcnemar(exact=True)`). The second model's answers are kept in the same cache, so a later
 * `BENCH_REAL_REFLECTION` run finds them.
 *
 * With BENCH_REFLECTION_WORDING=small the second answers come from GEPA_REFLECT_SMALL (the same
 * instruction and examples, cut out of each stored request, in the small-model wording), by default
 * from the task model itself: two wordings, one model, the same requests.
 *
 * Env: BENCH_REFLECTION_MODEL (a dev model name or a GGUF path; default qwen2.5-coder-1.5b, or
 * qwen2.5-coder-0.5b with a wording), BENCH_REFLECTION_WORDING (`small`), BENCH_REAL_DIR (the
 * cache), BENCH_REAL_SERVER_THREADS (default 2: run it alone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mcnemarExact } from '../src/core/stats';
import type { CompletionRequest } from '../src/core/types';
import type { CompletionEntry } from '../src/engines/cache';
import { parseFenced, parseReflection } from '../src/optimizers/gepa/gepa';
import { fill, GEPA_REFLECT } from '../src/optimizers/meta-prompts';
import { DEV_MODELS, devModelPath, type DevModel } from '../test/support/models';
import { cachedServerModel, startLlamaServer } from './real/server';
import { FileCompletionStore } from './real/store';

const CACHE = process.env.BENCH_REAL_DIR ?? join(homedir(), '.cache/athanor/bench-real');
const FILE = join(CACHE, 'completions.jsonl');
const WORDING = process.env.BENCH_REFLECTION_WORDING;
if (WORDING !== undefined && WORDING !== 'small')
  throw new Error(`BENCH_REFLECTION_WORDING=${WORDING}: the only other wording is "small".`);
const wanted =
  process.env.BENCH_REFLECTION_MODEL ?? (WORDING ? 'qwen2.5-coder-0.5b' : 'qwen2.5-coder-1.5b');
const MODEL = wanted in DEV_MODELS ? devModelPath(wanted as DevModel) : wanted;
const THREADS = Number(process.env.BENCH_REAL_SERVER_THREADS ?? 2);

/**
 * A small-model wording of GEPA_REFLECT, tried here and not adopted (docs/results.md): the same
 * instruction and examples, but the examples first and the request last, saying what the answer is
 * not (code, a task) and how it starts.
 */
const GEPA_REFLECT_SMALL = `Below are Python programming tasks a code-writing assistant was given, the code it wrote for each, and what running the unit tests on that code showed.

[[examples]]

The assistant followed this instruction:
\`\`\`
[[prompt]]
\`\`\`

Write an improved instruction for the assistant, so that it avoids the mistakes the test results above show on any task of this kind. Do not solve the tasks and do not write code: write the instruction itself, a few sentences addressed to the assistant that start with "You are". Reply with the improved instruction only, inside one \`\`\` block.`;

type Kind = 'none' | 'code' | 'unchanged' | 'task' | 'instruction';
const KINDS: Kind[] = ['instruction', 'unchanged', 'task', 'code', 'none'];

/**
 * What `fill(GEPA_REFLECT, …)` put into a stored request (its instruction and examples), read
 * back by the template itself; undefined for a request of another form (a re-ask, another method).
 */
function unfillReflect(text: string): { prompt: string; examples: string } | undefined {
  const [pre, a, mid, b, post] = GEPA_REFLECT.split(/\[\[(\w+)\]\]/);
  if (a !== 'prompt' || b !== 'examples')
    throw new Error(
      'GEPA_REFLECT no longer shows [[prompt]] then [[examples]]: update bench:reflection.',
    );
  const esc = (x = ''): string => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${esc(pre)}([\\s\\S]*?)${esc(mid)}([\\s\\S]*)${esc(post)}$`).exec(text);
  return m ? { prompt: m[1]!.trim(), examples: m[2]! } : undefined;
}

/** The same reflection in the small-model wording: its instruction and examples, re-filled. */
function reworded(req: CompletionRequest): CompletionRequest {
  if (!WORDING) return req;
  const shown = unfillReflect(req.messages[0]?.content ?? '')!;
  const content = fill(GEPA_REFLECT_SMALL, shown);
  return { ...req, messages: [{ role: 'user', content }] };
}

function sortAnswer(answer: string, parent: string): Kind {
  const r = parseReflection(answer);
  // Without the request, parseReflection cannot tell a copy of it: sorted by shape only.
  if ('missing' in r) return r.missing === 'code' || r.missing === 'task' ? r.missing : 'none';
  const p = r.instruction;
  if (p.trim() === parent) return 'unchanged';
  if (/^(Task|Your task|In this task)\b/m.test(p) || /\bdef \w+\(/.test(p)) return 'task';
  return 'instruction';
}

if (!existsSync(FILE))
  throw new Error(`No answer cache at ${FILE}: run bench:real's methods first.`);
const entries = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as CompletionEntry);
const first = entries.filter(
  (e) =>
    e.request?.purpose === 'mutate' &&
    e.request.messages.length === 1 &&
    unfillReflect(e.request.messages[0]?.content ?? '') !== undefined,
);
const taskModel = first[0]?.model;
const asked = first.filter((e) => e.model === taskModel);
if (asked.length === 0) throw new Error(`No GEPA reflection requests in ${FILE}.`);

const alias = MODEL.split('/')
  .pop()!
  .replace(/\.gguf$/i, '');
console.log(
  `bench:reflection — ${asked.length} GEPA reflection requests first answered by ${taskModel}, asked again of ${alias}${WORDING ? ` in the ${WORDING}-model wording (GEPA_REFLECT_SMALL)` : ''} (server ${THREADS} threads)`,
);
const server = await startLlamaServer({ modelPath: MODEL, alias, threads: THREADS });
const llm = cachedServerModel(server, new FileCompletionStore(FILE));
const kinds: Record<string, Kind[]> = { small: [], other: [] };
try {
  for (const [i, e] of asked.entries()) {
    const req = e.request!;
    const c = await llm.complete(reworded(req));
    const parent = unfillReflect(req.messages[0]?.content ?? '')!.prompt;
    kinds.small!.push(sortAnswer(e.completion.text, parent));
    kinds.other!.push(sortAnswer(c.text, parent));
    console.log(
      `  ${String(i + 1).padStart(2)}: ${kinds.small!.at(-1)!.padEnd(11)} → ${kinds.other!.at(-1)!.padEnd(11)} ${(c.latencyMs / 1000).toFixed(0)} s  ${JSON.stringify((parseFenced(c.text) ?? c.text).slice(0, 90))}`,
    );
  }
} finally {
  await server.close();
}
const count = (ks: Kind[], k: Kind): number => ks.filter((x) => x === k).length;
const names = {
  small: taskModel!.replace(/@.*/, ''),
  other: WORDING ? `${alias}, ${WORDING} wording` : alias,
};
console.log(`\n${''.padEnd(40)}${KINDS.map((k) => k.padStart(12)).join('')}`);
for (const who of ['small', 'other'] as const)
  console.log(
    `${names[who].padEnd(40)}${KINDS.map((k) => String(count(kinds[who]!, k)).padStart(12)).join('')}`,
  );
const t = mcnemarExact(
  kinds.small!.map((k) => k === 'instruction'),
  kinds.other!.map((k) => k === 'instruction'),
);
console.log(
  `a new instruction: ${count(kinds.small!, 'instruction')}/${asked.length} vs ${count(kinds.other!, 'instruction')}/${asked.length} (unit: the reflection request, paired; only the first: ${t.b}, only the second: ${t.c}; McNemar exact p ${t.p.toFixed(3)})`,
);
