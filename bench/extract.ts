/**
 * Code extraction on the answer corpus (test/fixtures/answers, 84 answers in the styles of
 * Qwen2.5-Coder, Llama 3.2, SmolLM2 and Phi): the share turned into the labelled program, and
 * what a stop at the closing fence of the block holding the entry point (core/code-stop.ts, the
 * stop every engine applies) would save — characters not generated, counted only where the code
 * is still extracted correctly from the shortened answer. Prints figures; asserts nothing.
 *
 *   npm run bench:extract
 */
import { codeEnd } from '../src/core/code-stop';
import { buildProgram } from '../src/core/extract';
import { CORPUS, type ModelStyle } from '../test/fixtures/answers/corpus';
import { TASKS } from '../test/fixtures/answers/tasks';

interface Tally {
  n: number;
  correct: number;
  stopped: number;
  stoppedCorrect: number;
  chars: number;
  saved: number;
}

const empty = (): Tally => ({
  n: 0,
  correct: 0,
  stopped: 0,
  stoppedCorrect: 0,
  chars: 0,
  saved: 0,
});
const tallies = new Map<ModelStyle | 'all', Tally>();
const broken: string[] = [];

for (const f of CORPUS) {
  const task = TASKS[f.task];
  const ok = (answer: string): boolean =>
    buildProgram(task, answer).program.trimEnd() === f.expected.trimEnd();
  const end = codeEnd(f.answer, {
    entryPoint: task.entryPoint,
    completionStyle: task.completionStyle,
  });
  const cut = end === undefined ? f.answer : f.answer.slice(0, end);
  const correct = ok(f.answer);
  const cutCorrect = ok(cut);
  if (end !== undefined && correct && !cutCorrect) broken.push(f.id);
  for (const key of [f.model, 'all'] as const) {
    const t = tallies.get(key) ?? empty();
    t.n++;
    t.chars += f.answer.length;
    if (correct) t.correct++;
    if (end !== undefined) t.stopped++;
    if (end !== undefined && cutCorrect) {
      t.stoppedCorrect++;
      t.saved += f.answer.length - cut.length;
    }
    tallies.set(key, t);
  }
}

const pct = (x: number, n: number): string => `${((100 * x) / Math.max(1, n)).toFixed(1)}%`;
console.log('bench:extract — answer corpus, extraction and stop-at-closing-fence savings\n');
console.log(
  'style            answers  extracted correctly  stop fired  still correct after stop  chars generated  chars saved  saved/generated',
);
for (const key of ['qwen2.5-coder', 'llama-3.2', 'smollm2', 'phi', 'all'] as const) {
  const t = tallies.get(key) ?? empty();
  console.log(
    [
      key.padEnd(16),
      String(t.n).padStart(7),
      `${t.correct}/${t.n} (${pct(t.correct, t.n)})`.padStart(20),
      String(t.stopped).padStart(11),
      `${t.stoppedCorrect}/${t.stopped}`.padStart(25),
      String(t.chars).padStart(16),
      String(t.saved).padStart(12),
      (t.saved / t.chars).toFixed(3).padStart(16),
    ].join(' '),
  );
}
if (broken.length > 0)
  console.log(`\nA stop at the fence broke the extraction of: ${broken.join(', ')}`);
