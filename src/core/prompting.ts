/**
 * How a prompt under optimization becomes the messages a model sees for one task. The prompt is
 * the system message; the task's own text is the user message. Keeping this in one place means
 * every method, every cache key and every export agree on what "running a prompt" means.
 */
import type { ChatMessage, Task } from './types';

export function promptMessages(prompt: string, task: Pick<Task, 'prompt'>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (prompt.trim() !== '') messages.push({ role: 'system', content: prompt });
  messages.push({ role: 'user', content: task.prompt });
  return messages;
}

/** The prompt a run starts from when the user gives none: a plain zero-shot instruction. */
export const DEFAULT_PROMPT =
  'You are an expert Python programmer. Complete the task below. Reply with one Python code block ' +
  'that contains the full implementation, including any imports it needs.';
