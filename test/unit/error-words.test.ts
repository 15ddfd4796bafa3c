import { describe, expect, it } from 'vitest';
import { errorWords, serverStatusWords, splitErrorText } from '../../src/ui/error-words';

class ServerUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnreachableError';
  }
}

describe('errorWords', () => {
  it('keeps the message and moves a named class to the details', () => {
    expect(
      errorWords(new ServerUnreachableError('The server is not reachable. Start it.')),
    ).toEqual({
      message: 'The server is not reachable. Start it.',
      detail: 'ServerUnreachableError',
    });
  });
  it('a plain Error has no details line', () => {
    expect(errorWords(new Error('Give at least one seed, e.g. 1.'))).toEqual({
      message: 'Give at least one seed, e.g. 1.',
    });
  });
  it('a message that starts with a class name loses it', () => {
    expect(errorWords(new Error('TypeError: Failed to fetch'))).toEqual({
      message: 'Failed to fetch',
      detail: 'TypeError',
    });
  });
  it('splits a run record\'s stored "Name: message"', () => {
    expect(splitErrorText('ModelNotLoadedError: Load a model on Models first.')).toEqual({
      message: 'Load a model on Models first.',
      detail: 'ModelNotLoadedError',
    });
    expect(splitErrorText('Note: nothing to do')).toEqual({ message: 'Note: nothing to do' });
  });
  it('names a server state in words', () => {
    expect(serverStatusWords('server-unreachable')).toBe('not reachable');
    expect(serverStatusWords(undefined)).toBe('not usable');
  });
});
