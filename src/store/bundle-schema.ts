/**
 * The run bundle's schema (format `athanor-run-bundle`, version 1), as valibot schemas. valibot
 * rather than a hand-written checker: it is small (tree-shaken to the validators used), typed, and
 * reports every problem with the path of the field, which is what an import error must name.
 *
 * Every string has a length cap and every list a count cap, so a bundle with a huge field is
 * refused with that field's path instead of being written into the user's database.
 */
import * as v from 'valibot';

/** Longest string accepted anywhere in a bundle (a program, a prompt, captured output). */
export const MAX_TEXT = 1_000_000;
/** Most items accepted in any list of a bundle. */
export const MAX_ITEMS = 2_000_000;

const text = v.pipe(v.string(), v.maxLength(MAX_TEXT));
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(1000));
const num = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const int = v.pipe(v.number(), v.integer());
const list = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.maxLength(MAX_ITEMS));
const maybe = <T extends v.GenericSchema>(s: T) => v.optional(s);

const chatMessage = v.object({ role: v.picklist(['system', 'user', 'assistant']), content: text });
const sampling = v.object({
  temperature: num,
  top_p: maybe(num),
  seed: maybe(num),
  max_tokens: count,
  stop: maybe(list(text)),
});
export const requestSchema = v.object({
  messages: list(chatMessage),
  sampling,
  purpose: v.picklist(['generate', 'mutate', 'rewrite', 'judge']),
  timeoutMs: maybe(num),
});
export const completionSchema = v.object({
  text,
  usage: v.object({ promptTokens: count, completionTokens: count }),
  latencyMs: num,
  model: text,
  finishReason: v.picklist(['stop', 'length', 'abort']),
  cached: maybe(v.boolean()),
  firstLatencyMs: maybe(num),
  stoppedAtCode: maybe(v.boolean()),
  usageEstimated: maybe(v.boolean()),
  retried: maybe(v.object({ count, reason: text })),
});
const captured = v.object({ text, truncated: v.boolean() });
export const execResultSchema = v.object({
  passed: v.boolean(),
  soft: v.pipe(num, v.minValue(0), v.maxValue(1)),
  tests: list(
    v.object({
      name: text,
      outcome: v.picklist(['passed', 'failed', 'error', 'timeout', 'not-run']),
      message: maybe(text),
      errorType: maybe(text),
      line: maybe(num),
    }),
  ),
  setupError: maybe(text),
  stdout: captured,
  stderr: captured,
  durationMs: num,
});
const testSpec = v.variant('kind', [
  v.object({ kind: v.literal('check'), source: text, entryPoint: text }),
  v.object({ kind: v.literal('asserts'), setup: text, asserts: list(text) }),
  v.object({
    kind: v.literal('io'),
    entryPoint: text,
    cases: list(v.object({ args: v.array(v.unknown()), expected: v.unknown() })),
    atol: num,
  }),
  v.object({
    kind: v.literal('stdio'),
    cases: list(v.object({ stdin: text, stdout: text })),
    compare: v.picklist(['exact', 'whitespace']),
  }),
]);
export const taskSchema = v.object({
  id,
  datasetId: id,
  sourceId: id,
  title: text,
  prompt: text,
  style: v.picklist(['function', 'stdio']),
  completionStyle: v.boolean(),
  entryPoint: maybe(text),
  signature: maybe(text),
  tests: testSpec,
  reference: maybe(text),
  tags: list(text),
  difficulty: maybe(v.picklist(['easy', 'medium', 'hard'])),
  origin: v.variant('kind', [
    v.object({ kind: v.literal('real') }),
    v.object({ kind: v.literal('mutated'), parentId: id, runId: maybe(id) }),
  ]),
  source: v.object({ dataset: text, license: text, url: maybe(text) }),
});
const split = v.picklist(['train', 'validation', 'test']);
const modelRef = v.object({
  engine: v.picklist(['webllm', 'wllama', 'openai', 'replay', 'scripted']),
  modelId: id,
  replayOf: maybe(id),
  // A model server's API base (never a key: keys are not part of a ModelRef).
  server: maybe(v.pipe(v.string(), v.url())),
});
export const runConfigSchema = v.object({
  name: text,
  method: id,
  knobs: v.record(v.string(), v.union([num, v.string(), v.boolean()])),
  model: modelRef,
  optimizerModel: maybe(modelRef),
  datasetId: id,
  trainSplit: split,
  testSplit: split,
  seeds: v.pipe(list(int), v.minLength(1)),
  budget: v.object({ maxLlmCalls: maybe(num), maxTokens: maybe(num), maxMinutes: maybe(num) }),
  sampling: v.object({ generate: sampling, mutate: sampling }),
  initialPrompt: text,
  evaluation: v.object({
    samples: v.pipe(int, v.minValue(1)),
    k: list(v.pipe(int, v.minValue(1))),
    temperature: maybe(v.pipe(num, v.minValue(0))),
  }),
  selection: maybe(
    v.object({ on: v.literal('validation'), topM: v.pipe(int, v.minValue(1), v.maxValue(1000)) }),
  ),
});
const seedStat = v.object({ mean: num, std: v.nullable(num), n: count, perSeed: list(num) });
const promptReport = v.object({
  strict: seedStat,
  soft: seedStat,
  passAtK: v.record(v.string(), seedStat),
  base: maybe(seedStat),
});
const mcnemar = v.object({ b: count, c: count, p: num });
const splitScore = v.object({ score: num, tasks: count });
const taskLevelComparison = v.object({
  tasks: count,
  seeds: count,
  diff: num,
  p: num,
  changed: count,
  minP: maybe(num),
  ci: v.object({ lo: num, hi: num, level: num, se: num, df: num }),
  seFrom: v.picklist(['tasks', 'seeds']),
  mdd: v.nullable(num),
  design: maybe(
    v.object({
      first: v.picklist(['one', 'per-seed']),
      second: v.picklist(['one', 'per-seed']),
    }),
  ),
  needChanged: maybe(count),
  tooFewChanged: maybe(v.boolean()),
});
const roleCost = v.object({
  llmCalls: count,
  promptTokens: count,
  completionTokens: count,
  modelSeconds: maybe(v.pipe(v.number(), v.minValue(0))),
});
export const reportSchema = v.object({
  testSetOptimization: v.boolean(),
  split: v.object({ train: text, test: text, testTasks: count }),
  samples: count,
  initial: promptReport,
  final: promptReport,
  prompts: list(v.object({ seed: int, initialId: id, finalId: id })),
  comparison: maybe(
    v.object({
      mcnemar: mcnemar,
      bootstrap: v.object({ diff: num, lo: num, hi: num, level: num, resamples: count }),
    }),
  ),
  taskLevel: maybe(
    v.object({
      combined: taskLevelComparison,
      verdict: text,
      perSeed: list(v.object({ seed: int, initial: num, final: num, mcnemar })),
      fewTasks: v.boolean(),
    }),
  ),
  gap: maybe(
    list(
      v.object({
        seed: int,
        promptId: id,
        train: v.nullable(splitScore),
        validation: v.nullable(splitScore),
        test: splitScore,
        selectedBy: v.picklist(['training', 'validation']),
        validationUsed: maybe(v.boolean()),
      }),
    ),
  ),
  cost: v.object({
    llmCalls: count,
    promptTokens: count,
    completionTokens: count,
    modelSeconds: num,
    execSeconds: num,
    completionCacheHits: count,
    verdictCacheHits: count,
    estimatedCalls: maybe(count),
    byRole: maybe(v.record(v.picklist(['task', 'optimizer']), roleCost)),
  }),
  leakage: maybe(v.object({ requests: count, leakedTasks: list(id) })),
  perInstance: maybe(v.object({ label: v.literal('test-set optimization'), strict: seedStat })),
  samplingTemperature: maybe(num),
});
export const environmentSchema = v.object({
  modelId: text,
  engine: text,
  optimizerModelId: maybe(text),
  optimizerEngine: maybe(text),
  userAgent: text,
  appVersion: text,
  libraries: v.record(v.string(), text),
});
const progress = v.object({
  seedIndex: count,
  phase: v.picklist(['optimize', 'heldout', 'done']),
  round: int,
  bestScore: maybe(num),
  evaluations: count,
  llmCalls: count,
});
const taskIds = v.object({ train: list(id), validation: list(id), test: list(id) });
const diagnosticsSchema = v.object({
  stops: maybe(
    list(
      v.object({
        seed: int,
        reason: v.picklist([
          'converged',
          'max-steps',
          'no-usable-variants',
          'budget',
          'time-limit',
          'cancelled',
        ]),
        methodReason: text,
        step: count,
        variants: maybe(v.object({ scored: count, refused: count, scoredSinceGain: count })),
      }),
    ),
  ),
  relevance: maybe(v.object({ measure: v.picklist(['embeddings', 'tf-idf']), modelId: maybe(id) })),
  wording: maybe(v.picklist(['paper', 'small-model'])),
  trims: maybe(v.object({ count, last: maybe(text) })),
  serverFaults: maybe(
    v.object({
      retried: count,
      lastReason: maybe(text),
      pauses: maybe(count),
      message: maybe(text),
    }),
  ),
});
export const runSchema = v.object({
  id,
  config: runConfigSchema,
  status: v.picklist(['created', 'running', 'paused', 'done', 'failed', 'cancelled']),
  createdAt: num,
  updatedAt: num,
  error: maybe(text),
  message: maybe(text),
  progress: maybe(progress),
  environment: maybe(environmentSchema),
  testSetOptimization: maybe(v.boolean()),
  report: maybe(reportSchema),
  taskIds: maybe(taskIds),
  augmented: maybe(
    list(
      v.object({
        seed: int,
        taskIds: list(id),
        rejected: list(v.object({ parentId: id, reason: text })),
      }),
    ),
  ),
  diagnostics: maybe(diagnosticsSchema),
});
export const promptSchema = v.object({
  id,
  text,
  parents: list(id),
  operator: text,
  step: int,
  feedback: maybe(text),
  runId: id,
  seed: int,
});
export const evaluationSchema = v.object({
  runId: id,
  seed: int,
  phase: v.picklist(['optimize', 'validation', 'heldout']),
  promptId: id,
  taskId: id,
  sample: count,
  completionKey: v.pipe(v.string(), v.maxLength(1000)),
  code: text,
  result: execResultSchema,
  createdAt: num,
  round: maybe(int),
  execCached: maybe(v.boolean()),
  completion: maybe(completionSchema),
});
/** A logged call: a CompletionRecord (key, model, request, completion, createdAt) plus its place. */
export const callSchema = v.object({
  key: id,
  model: text,
  request: requestSchema,
  completion: completionSchema,
  createdAt: num,
  seed: int,
  round: int,
  n: count,
  seq: count,
});
export const checkpointSchema = v.object({
  id,
  runId: id,
  seed: int,
  step: int,
  state: v.unknown(),
  updatedAt: num,
  round: maybe(int),
  spent: maybe(v.object({ llmCalls: count, tokens: count, elapsedMs: num })),
  seq: maybe(count),
});

export const BUNDLE_FORMAT = 'athanor-run-bundle';
export const BUNDLE_VERSION = 1;

export const bundleSchema = v.object({
  format: v.literal(BUNDLE_FORMAT),
  version: v.literal(BUNDLE_VERSION),
  exportedAt: num,
  app: v.object({ name: text, version: text }),
  environment: environmentSchema,
  testSetOptimization: v.boolean(),
  run: runSchema,
  tasks: list(taskSchema),
  prompts: list(promptSchema),
  evaluations: list(evaluationSchema),
  completions: list(callSchema),
  checkpoints: list(checkpointSchema),
  statistics: v.nullable(reportSchema),
});

export type RunBundle = v.InferOutput<typeof bundleSchema>;
