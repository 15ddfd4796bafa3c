import { describe, expect, it } from 'vitest';
import { ContextGuard, ContextOverflowError } from '../../src/core/context-window';
import type { LlmPort } from '../../src/core/ports';
import type { CompletionRequest } from '../../src/core/types';
import { gpo } from '../../src/optimizers/gpo';
import { createDirectContext } from '../../src/optimizers/scoring';
import { landscapeExec, toyTasks } from '../support/landscape';
import { runToEnd } from '../support/run-optimizer';
import { scriptedLlm, type ScriptedLlm } from '../support/scripted-llm';

/** A scripted model with a window, that counts a token per 4 characters (as scriptedLlm reports). */
const windowed = (llm: ScriptedLlm, window: number): ScriptedLlm & { contextWindow: number } =>
  Object.assign(Object.create(llm) as ScriptedLlm, llm, { contextWindow: window });

const req = (content: string, max_tokens = 64): CompletionRequest => ({
  messages: [{ role: 'user', content }],
  sampling: { temperature: 0, max_tokens },
  purpose: 'mutate',
});

describe('ContextGuard', () => {
  it('refuses a request that cannot fit, naming the window and the size, and sends nothing', async () => {
    const llm = scriptedLlm(() => 'ok'); // reports ceil(chars / 4) prompt tokens
    const guard = new ContextGuard(windowed(llm, 100));
    const err = await guard.complete(req('x'.repeat(400))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContextOverflowError);
    expect((err as ContextOverflowError).window).toBe(100);
    // Measured at 1 token per 4 bytes (+10%): 400 bytes are about 134 tokens with the template.
    expect((err as Error).message).toMatch(
      /about 1\d\d tokens of prompt .* 100-token context window of scripted/,
    );
    // Only the one-token measurement went out, on as much text as surely fits.
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]!.sampling.max_tokens).toBe(1);
    expect(llm.requests[0]!.messages[0]!.content.length).toBeLessThan(100);
  });

  it('lowers an answer limit that would overflow; never cuts the prompt', async () => {
    const llm = scriptedLlm(() => 'ok');
    const guard = new ContextGuard(windowed(llm, 200));
    await guard.complete(req('y'.repeat(100), 500));
    // The first request measured the model (one token); the second is the request itself.
    expect(llm.requests).toHaveLength(2);
    const estimate = guard.estimate(req('y'.repeat(100)).messages);
    const sent = llm.requests[1]!;
    expect(sent.messages[0]!.content).toBe('y'.repeat(100));
    expect(sent.sampling.max_tokens).toBe(200 - estimate);
  });

  it('starts at one token per byte (an upper bound) and learns the model’s ratio from usage', async () => {
    const llm = scriptedLlm(() => 'ok'); // reports ceil(chars / 4) prompt tokens
    const guard = new ContextGuard(windowed(llm, 4096));
    const text = 'z'.repeat(1000);
    const before = guard.estimate(req(text).messages);
    expect(before).toBeGreaterThanOrEqual(1000);
    await guard.complete(req(text));
    const after = guard.estimate(req(text).messages);
    expect(after).toBeLessThan(before / 2);
    // Still an upper bound of what the model reported, with its margin.
    expect(after).toBeGreaterThanOrEqual(250);
  });

  it('passes through when the engine has no known window', async () => {
    const llm: LlmPort = scriptedLlm(() => 'ok');
    const guard = new ContextGuard(llm);
    await expect(guard.fit(req('a'.repeat(100_000)))).resolves.toBeUndefined();
    await expect(guard.complete(req('a'.repeat(100_000)))).resolves.toMatchObject({ text: 'ok' });
  });
});

describe('GPO trims its meta-prompt to fit the window', () => {
  it('drops the least relevant trajectory entries, then examples, and says so', async () => {
    let n = 0;
    const llm = scriptedLlm((r) => {
      if (r.purpose === 'generate') return 'def f():\n    return 1';
      n += 1;
      return `<START>Write correct Python code, variant ${n}, with a long explanation of what to consider: ${'care '.repeat(110)}<END>`;
    });
    const guard = new ContextGuard(windowed(llm, 1400));
    const ctx = createDirectContext({
      llm: guard,
      exec: landscapeExec(),
      train: toyTasks(6),
      fit: (r) => guard.fit(r),
    });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 5, candidates: 2, trainTasks: 6, k: 6, examples: 5, patience: 10 },
        seed: 1,
        initialPrompt: 'Write correct Python code.',
      },
      ctx,
    );
    expect(final.done).toBe(true);
    const trims = ctx.events.filter((e) => e.type === 'note' && e.trim === true);
    expect(trims.length).toBeGreaterThan(0);
    expect(trims.map((e) => (e.type === 'note' ? e.message : '')).join('\n')).toMatch(
      /Trimmed \d+ trajectory entr(y|ies).* 1400-token context window/,
    );
    // Every meta-request that was sent fits the window by the guard's own measure.
    for (const r of llm.requests.filter((x) => x.purpose === 'mutate')) {
      expect(guard.estimate(r.messages) + r.sampling.max_tokens).toBeLessThanOrEqual(1400);
    }
  });
});

describe('small-model wording', () => {
  it('GPO sends the short meta-prompt with the format by example, and refuses a copy of the example', async () => {
    let calls = 0;
    const llm = scriptedLlm((r) => {
      if (r.purpose === 'generate') return 'def f():\n    return 1';
      calls += 1;
      const example = /<START>(.*)<END>\s*$/.exec(r.messages[0]!.content)?.[1] ?? '';
      // First answer copies the example; the re-ask gets a real one.
      return calls === 1 ? `<START>${example}<END>` : '<START>Write tested Python code.<END>';
    });
    const ctx = createDirectContext({ llm, exec: landscapeExec(), train: toyTasks(3) });
    const { final } = await runToEnd(
      gpo,
      {
        knobs: { steps: 1, candidates: 1, trainTasks: 3, wording: 'small-model' },
        seed: 1,
        initialPrompt: 'Write correct Python code.',
      },
      ctx,
    );
    const first = llm.requests.find((r) => r.purpose === 'mutate')!;
    expect(first.messages[0]!.content).toMatch(/like this:\n<START>.+<END>$/);
    expect(first.messages[0]!.content.length).toBeLessThan(900);
    expect(final.budgets[0]!.accepted).toBe(1);
    expect(llm.requests.filter((r) => r.purpose === 'mutate')).toHaveLength(2);
  });
});
