/**
 * Values that cannot cross to JavaScript as JSON, graded exactly and unforgeably (docs/sandbox.md,
 * "Values of io tests"): a long output kept as the digest of its canonical text, an integer of
 * thousands of digits, EvalPlus's not-None view of a regex match object. The expected values are
 * collected from a reference exactly as validation does; then programs are graded against them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/types';
import { withExpectedOutputs } from '../../src/datasets/validate';
import { createNodeExecPool, type ExecPool } from '../../src/executor/node';

let pool: ExecPool;
beforeAll(async () => {
  pool = createNodeExecPool({ size: 1, spares: 0 });
  await pool.warm();
});
afterAll(async () => {
  await pool.close();
});

async function collected(reference: string, tests: TestSpec): Promise<TestSpec> {
  const r = await pool.run({ program: reference, tests, collect: true });
  expect(r.passed).toBe(true);
  return withExpectedOutputs(tests, r);
}

const verdicts = async (tests: TestSpec, programs: string[]): Promise<boolean[]> =>
  (await Promise.all(programs.map((program) => pool.run({ program, tests })))).map((r) => r.passed);

describe('io values beyond JSON', () => {
  it('a long output is stored as a digest and compared with Python ==', async () => {
    const spec: TestSpec = {
      kind: 'io',
      entryPoint: 'f',
      atol: 0,
      cases: [{ args: [30000], expected: undefined }],
    };
    const tests = await collected('def f(n):\n    return list(range(n))\n', spec);
    const expected = tests.kind === 'io' ? tests.cases[0]!.expected : undefined;
    expect(expected).toMatchObject({ $sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(tests.kind === 'io' && tests.cases[0]!.refMs).toBeGreaterThanOrEqual(0);
    expect(
      await verdicts(tests, [
        'def f(n):\n    return [float(i) for i in range(n)]\n', // == in Python
        'def f(n):\n    return [i for i in range(n)]\n',
        'def f(n):\n    return tuple(range(n))\n', // a tuple is not a list
        'def f(n):\n    return list(range(n - 1)) + [n]\n',
        // An object that says yes to everything cannot forge the digest.
        'class Y(list):\n    def __eq__(self, o):\n        return True\n\ndef f(n):\n    return Y([0])\n',
        'def f(n):\n    return None\n',
      ]),
    ).toEqual([true, true, false, false, false, false]);
  });

  it('an integer of thousands of digits compares exactly', async () => {
    const spec: TestSpec = {
      kind: 'io',
      entryPoint: 'f',
      atol: 0,
      cases: [
        { args: [5000], expected: undefined },
        { args: [200000], expected: undefined },
      ],
    };
    const tests = await collected('def f(n):\n    return 18 * 10 ** (n - 2)\n', spec);
    expect(
      await verdicts(tests, [
        'def f(n):\n    return pow(10, n - 2) * 18\n',
        'def f(n):\n    return 18 * 10 ** (n - 2) + 1\n',
        'def f(n):\n    return float(18 * 10 ** min(n - 2, 300))\n',
      ]),
    ).toEqual([true, false, false]);
  });

  it("EvalPlus's not-None tasks never encode the output (a regex match object)", async () => {
    const spec: TestSpec = {
      kind: 'io',
      entryPoint: 'f',
      atol: 0,
      oracle: 'not_none',
      cases: [
        { args: ['ab'], expected: undefined },
        { args: ['xy'], expected: undefined },
      ],
    };
    const tests = await collected("import re\ndef f(s):\n    return re.match('a', s)\n", spec);
    expect(tests.kind === 'io' && tests.cases.map((c) => c.expected)).toEqual([true, false]);
    expect(
      await verdicts(tests, [
        "import re\ndef f(s):\n    return re.search('^a', s)\n",
        "def f(s):\n    return s.startswith('a')\n",
        "def f(s):\n    return 'yes' if s.startswith('a') else None\n",
        'def f(s):\n    return None\n',
        'def f(s):\n    return True\n',
      ]),
    ).toEqual([true, true, true, false, false]);
  });
});
