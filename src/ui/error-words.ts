/**
 * Errors as the pages show them: the message in words (what is wrong, then what to do; the app's
 * named errors already say both), with the class name kept for a details line only. A person
 * reads "The server at … is not reachable", not "ServerUnreachableError".
 */
export interface ErrorWords {
  /** What went wrong and what to do, in words. */
  message: string;
  /** The error's class name, for a details line (or for a bug report). */
  detail?: string;
}

/** "SomeError: message", as a run record stores a failure (runner.ts), split into its parts. */
const NAMED = /^([A-Z][A-Za-z0-9]*(?:Error|Exception)): ([\s\S]+)$/;

export function errorWords(e: unknown): ErrorWords {
  if (e instanceof Error) {
    const inner = splitErrorText(e.message);
    const detail = inner.detail ?? (e.name && e.name !== 'Error' ? e.name : undefined);
    return { message: inner.message, ...(detail ? { detail } : {}) };
  }
  return splitErrorText(String(e));
}

export function splitErrorText(text: string): ErrorWords {
  const m = NAMED.exec(text.trim());
  return m ? { message: m[2]!, detail: m[1]! } : { message: text };
}

/** A model server's state after a failed probe, in a few words (the box below says the rest). */
const SERVER_STATUS: Record<string, string> = {
  'server-unreachable': 'not reachable',
  'server-cors': 'refuses requests from this page (CORS)',
  'mixed-content': 'blocked: an http address from an https page',
  'private-network': "blocked by the browser's private-network rule",
  'server-auth': 'refuses the key',
  'server-http': 'answered with an error',
  'server-response': 'answered in a form this page cannot read',
  timeout: 'did not answer in time',
};

export function serverStatusWords(code: string | undefined): string {
  return (code && SERVER_STATUS[code]) || 'not usable';
}
