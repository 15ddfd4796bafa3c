/**
 * A model server in a fetch, for tests of what the app does with answers cut short: the scripted
 * landscape writes each answer (the LLM is the one seam a test may script), and `cut(call)` picks
 * the calls the server ends after the role chunk with a bare [DONE], as llama-cpp-python's server
 * does by default when requests overlap. Streams carry no usage, as that server's never do.
 */
import type { CompletionRequest } from '../../src/core/types';
import { landscapeLlm } from './landscape';

const sse = (chunks: unknown[]): Response =>
  new Response(chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n', {
    headers: { 'content-type': 'text/event-stream' },
  });

/**
 * A fetch that plays a model server: the landscape writes each answer; `cut(call)` decides which
 * calls the server ends after the role chunk. Mutation requests are told by their temperature
 * (1 in the fixture's config), as the wire carries no purpose.
 */
export function landscapeServer(cut: (call: number) => boolean) {
  const llm = landscapeLlm();
  const server = { calls: 0, cuts: 0, cut };
  const fetchImpl = (async (_url: RequestInfo | URL, init: RequestInit = {}) => {
    const body = JSON.parse(String(init.body)) as {
      messages: CompletionRequest['messages'];
      temperature: number;
      max_tokens: number;
    };
    const call = ++server.calls;
    const role = { choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] };
    if (server.cut(call)) {
      server.cuts++;
      return sse([role]);
    }
    const answer = await llm.complete({
      messages: body.messages,
      sampling: { temperature: body.temperature, max_tokens: body.max_tokens },
      purpose: body.temperature === 1 ? 'mutate' : 'generate',
    });
    return sse([
      role,
      { choices: [{ index: 0, delta: { content: answer.text }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    ]);
  }) as typeof fetch;
  return { server, fetchImpl };
}
