import { describe, expect, it } from 'vitest';
import {
  EmptyFileError,
  InvalidRecordsError,
  RecordError,
  WrongFormatError,
} from '../../src/datasets/errors';
import { decodeLossless, evalplusOracle, mbppRetype } from '../../src/datasets/formats/evalplus';
import { parseDataset, tasksToCommit, type ParseOptions } from '../../src/datasets/import';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const jsonl = (...rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const parse = (name: string, text: string, opts: ParseOptions = {}) =>
  parseDataset({ name, bytes: enc(text) }, opts);

const he = (i: number, extra: Record<string, unknown> = {}) => ({
  task_id: `HumanEval/${i}`,
  prompt: `def add${i}(a: int, b: int) -> int:\n    """Add two numbers."""\n`,
  entry_point: `add${i}`,
  canonical_solution: '    return a + b\n',
  test: 'def check(candidate):\n    assert candidate(1, 2) == 3\n',
  ...extra,
});

const mbppRow = (id: number) => ({
  task_id: id,
  text: 'Write a function to double a number.',
  code: 'def double(x):\n    return 2 * x',
  test_setup_code: '',
  test_list: ['assert double(2) == 4', 'assert double(0) == 0', 'assert double(-1) == -2'],
  challenge_test_list: [],
});

describe('HumanEval importer', () => {
  it('makes completion-style tasks whose reference is prompt + canonical solution', async () => {
    const p = await parse('HumanEval.jsonl', jsonl(he(0), he(1)));
    expect(p.format).toBe('humaneval');
    expect(p.tasks).toHaveLength(2);
    const t = p.tasks[0]!;
    expect(t.completionStyle).toBe(true);
    expect(t.reference).toBe(he(0).prompt + he(0).canonical_solution);
    expect(t.tests).toEqual({ kind: 'check', source: he(0).test, entryPoint: 'add0' });
    expect(t.signature).toBe('def add0(a: int, b: int) -> int:');
    expect(t.id).toBe(`${p.id}/HumanEval/0`);
  });

  it('names file, line and field of a missing or mistyped field', async () => {
    const rows = [he(0), { ...he(1), canonical_solution: undefined }, { ...he(2), entry_point: 7 }];
    const p = await parse('he.jsonl', jsonl(...rows), { format: 'humaneval' });
    expect(p.tasks.map((t) => t.sourceId)).toEqual(['HumanEval/0']);
    expect(p.errors.map((e) => [e.file, e.line, e.field])).toEqual([
      ['he.jsonl', 2, 'canonical_solution'],
      ['he.jsonl', 3, 'entry_point'],
    ]);
    expect(p.errors[1]!.message).toBe(
      'he.jsonl, line 3, field `entry_point`: expected a string, got number 7',
    );
  });

  it('lets the caller keep the valid rest or nothing', async () => {
    const p = await parse(
      'he.jsonl',
      jsonl(he(0), he(1)).replace(/\n[^\n]*\n$/, '\n{"task_id": "HumanEval/1", "pro\n'),
    );
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.line).toBe(2);
    expect(tasksToCommit(p, 'valid-rest')).toHaveLength(1);
    expect(() => tasksToCommit(p, 'all-or-nothing')).toThrow(InvalidRecordsError);
    expect(() => tasksToCommit(p, 'all-or-nothing')).toThrow(
      /1 malformed record .*Nothing was imported.*import the 1 valid record only/,
    );
  });

  it('reports a duplicate task id', async () => {
    const p = await parse('he.jsonl', jsonl(he(0), he(0)));
    expect(p.errors[0]?.message).toMatch(
      /line 2.*duplicate task id HumanEval\/0 \(first on line 1\)/,
    );
  });
});

describe('MBPP importers', () => {
  it('frames the prompt with one test and finds the entry point from the tests', async () => {
    const p = await parse('mbpp.jsonl', jsonl(mbppRow(11), mbppRow(601)));
    expect(p.format).toBe('mbpp');
    const t = p.tasks[0]!;
    expect(t.prompt).toBe(
      'You are an expert Python programmer, and here is your task: Write a function to double a number. Your code should pass these tests:\n\nassert double(2) == 4',
    );
    expect(t.entryPoint).toBe('double');
    expect(t.tests).toEqual({ kind: 'asserts', setup: '', asserts: mbppRow(11).test_list });
    expect(p.split.method).toBe('published');
    expect(p.split.ids.test).toEqual([t.id]);
    expect(p.split.ids.train).toEqual([p.tasks[1]!.id]);
  });

  it('sanitized: test imports go before the code and into the setup', async () => {
    const row = {
      source_file: 'x',
      task_id: 3,
      prompt: 'Write a function to take a root.',
      code: 'def root(x):\n    return math.sqrt(x)',
      test_imports: ['import math'],
      test_list: ['assert root(4) == 2'],
    };
    const p = await parse('sanitized-mbpp.json', JSON.stringify([row], null, 1));
    expect(p.format).toBe('mbpp-sanitized');
    expect(p.tasks[0]!.reference).toBe('import math\ndef root(x):\n    return math.sqrt(x)');
    expect(p.tasks[0]!.tests).toMatchObject({ setup: 'import math' });
  });
});

describe('format errors', () => {
  it('an empty or blank file is an EmptyFileError', async () => {
    await expect(parse('empty.jsonl', '')).rejects.toBeInstanceOf(EmptyFileError);
    await expect(parse('blank.jsonl', '\n  \n')).rejects.toThrow(/blank\.jsonl is empty/);
    await expect(parse('empty.json', '[]')).rejects.toBeInstanceOf(EmptyFileError);
  });

  it('a wrong format pick names the format the file looks like', async () => {
    const err = await parse('mbpp.jsonl', jsonl(mbppRow(1)), { format: 'humaneval' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WrongFormatError);
    expect((err as Error).message).toMatch(
      /does not look like HumanEval.*looks like MBPP full.*line 1, field `task_id`/,
    );
  });

  it('a file of no known format says so', async () => {
    await expect(parse('x.jsonl', jsonl({ foo: 1 }))).rejects.toThrow(
      /fields foo match no known format/,
    );
  });

  it('one huge line is refused by size, with its line, and the rest stays importable', async () => {
    const huge = JSON.stringify({ ...he(1), prompt: 'x'.repeat(33 * 1024 * 1024) });
    const p = await parse('big.jsonl', JSON.stringify(he(0)) + '\n' + huge + '\n');
    expect(p.tasks).toHaveLength(1);
    expect(p.errors[0]?.message).toMatch(
      /^big\.jsonl, line 2, field `\(record\)`: the record is 33\.0 MB, over the 32\.0 MB limit/,
    );
  });

  it('a file whose only record is broken is an InvalidRecordsError', async () => {
    const err = await parse('he.jsonl', '{"task_id": "HumanEval/0", "prompt": "def f(', {
      format: 'humaneval',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRecordsError);
    expect((err as InvalidRecordsError).errors[0]).toBeInstanceOf(RecordError);
  });

  it('the dataset id is derived from the content', async () => {
    const a = await parse('a.jsonl', jsonl(he(0)));
    const b = await parse('renamed.jsonl', jsonl(he(0)));
    const c = await parse('a.jsonl', jsonl(he(1)));
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(c.id);
    expect(a.id).toMatch(/^humaneval-[0-9a-f]{12}$/);
  });
});

describe('EvalPlus importer', () => {
  const row = {
    task_id: 'Mbpp/2',
    prompt:
      '"""\nWrite a function to find the shared elements from the given two lists.\nassert set(similar_elements((3, 4), (4, 5))) == set((4,))\n"""\n',
    canonical_solution: '\ndef similar_elements(a, b):\n    return tuple(set(a) & set(b))\n',
    entry_point: 'similar_elements',
    contract: '',
    atol: 0,
    base_input: [
      [
        [3, 4],
        [4, 5],
      ],
    ],
    plus_input: 'PLUS',
  };
  // JSON.stringify cannot write NaN or big integers; write the line as Python's json would.
  const line = JSON.stringify(row).replace(
    '"PLUS"',
    '[[[1, 2], [2]], [[12345678901234567890123], [NaN]]]',
  );

  it('makes one io case per input, decoded without loss and re-typed as EvalPlus does', async () => {
    const p = await parse('MbppPlus.jsonl', line + '\n');
    expect(p.format).toBe('evalplus');
    const t = p.tasks[0]!;
    expect(t.completionStyle).toBe(false);
    expect(t.tests.kind).toBe('io');
    if (t.tests.kind !== 'io') return;
    // Mbpp/2 (similar_elements): tuples, and EvalPlus's set-equality oracle.
    expect(t.tests.oracle).toBe('set_eq');
    expect(t.tests.cases.map((c) => c.args)).toEqual([
      [{ $tuple: [3, 4] }, { $tuple: [4, 5] }],
      [{ $tuple: [1, 2] }, { $tuple: [2] }],
      [{ $tuple: [{ $int: '12345678901234567890123' }] }, { $tuple: [{ $float: 'nan' }] }],
    ]);
    // Expected outputs come from running the reference once, at validation.
    expect(t.tests.cases.every((c) => c.expected === undefined)).toBe(true);
    expect(JSON.stringify(t.tests)).not.toContain('similar_elements(a, b)');
    expect(t.reference).toBe(row.prompt + row.canonical_solution);
  });

  it('base inputs only, on request', async () => {
    const p = await parse('MbppPlus.jsonl', line + '\n', { options: { evalplusInputs: 'base' } });
    expect(p.tasks[0]!.tests.kind === 'io' && p.tasks[0]!.tests.cases.length).toBe(1);
  });

  it('re-types MBPP+ inputs only for the tasks EvalPlus re-types', () => {
    expect(mbppRetype('Mbpp/2')?.([[1], [2]])).toEqual([{ $tuple: [1] }, { $tuple: [2] }]);
    expect(mbppRetype('Mbpp/124')?.([2, 3])).toEqual([
      { $float: 2 },
      { $complex: [{ $float: 3 }, { $float: 0 }] },
    ]);
    // MBPP+ v0.2.0 stores Mbpp/124 and 252 as Python's str() of the float / complex value.
    const f = (x: string) => ({ $float: x });
    expect(mbppRetype('Mbpp/124')?.(['1e-100', '(-0-1e-16j)'])).toEqual([
      f('1e-100'),
      { $complex: [f('-0'), f('-1e-16')] },
    ]);
    expect(mbppRetype('Mbpp/252')?.(['-3j'])).toEqual([{ $complex: [f('0.0'), f('-3')] }]);
    expect(mbppRetype('Mbpp/252')?.(['(6+0j)'])).toEqual([{ $complex: [f('6'), f('0')] }]);
    expect(mbppRetype('Mbpp/252')?.(['69.02761442257642'])).toEqual([
      { $complex: [f('69.02761442257642'), f('0.0')] },
    ]);
    expect(mbppRetype('Mbpp/252')?.(['1j'])).toEqual([{ $complex: [f('0.0'), f('1')] }]);
    expect(() => mbppRetype('Mbpp/252')?.(['1+2'])).toThrow(/not a Python complex literal/);
    expect(mbppRetype('Mbpp/115')?.([[[1, 2], []]])).toEqual([[{ $set: [1, 2] }, {}]]);
    expect(mbppRetype('Mbpp/580')?.([[1, [2, 3]]])).toEqual([{ $tuple: [1, { $tuple: [2, 3] }] }]);
    expect(mbppRetype('Mbpp/3')).toBeUndefined();
    expect(mbppRetype('HumanEval/2')).toBeUndefined();
  });

  it('reads numbers as Python would: big ints, NaN, Infinity, integral floats, $ keys', () => {
    expect(
      decodeLossless('[9007199254740993, -0, 2.0, 1e400, -Infinity, 0.5, "NaN 1.0", {"$x": 1}]'),
    ).toEqual([
      { $int: '9007199254740993' },
      0,
      { $float: 2.0 },
      { $float: 'inf' },
      { $float: '-inf' },
      0.5,
      'NaN 1.0',
      { $dict: [['$x', 1]] },
    ]);
  });

  it('names EvalPlus special oracles by dataset and entry point', () => {
    expect(evalplusOracle(false, 'find_zero')).toBe('find_zero');
    expect(evalplusOracle(true, 'find_zero')).toBeUndefined();
    expect(evalplusOracle(true, 'surface_Area')).toBe('surface_area');
    expect(evalplusOracle(true, 'toString')).toBeUndefined();
  });
});

describe('APPS importer', () => {
  const row = {
    problem_id: 7,
    question: 'Read two integers and print their sum.',
    solutions: JSON.stringify(['a, b = map(int, input().split())\nprint(a + b)\n']),
    input_output: JSON.stringify({ inputs: ['1 2\n', ['3 4']], outputs: ['3\n', ['7']] }),
    difficulty: 'introductory',
    url: 'https://example.org/p/7',
    starter_code: '',
  };

  it('makes stdio tasks with the first solution as reference', async () => {
    const p = await parse('train.jsonl', jsonl(row));
    const t = p.tasks[0]!;
    expect(p.format).toBe('apps');
    expect(t.style).toBe('stdio');
    expect(t.difficulty).toBe('easy');
    expect(t.tests).toEqual({
      kind: 'stdio',
      compare: 'whitespace',
      cases: [
        { stdin: '1 2\n', stdout: '3\n' },
        { stdin: '3 4', stdout: '7' },
      ],
    });
    expect(t.prompt).toContain('Use Standard Input format');
  });

  it('refuses call-based problems by name', async () => {
    const p = await parse(
      'train.jsonl',
      jsonl(row, {
        ...row,
        problem_id: 8,
        input_output: JSON.stringify({ inputs: [[1]], outputs: [[2]], fn_name: 'f' }),
      }),
    );
    expect(p.errors[0]?.field).toBe('input_output.fn_name');
    expect(p.errors[0]?.line).toBe(2);
  });
});

describe('Athanor format', () => {
  it('reads an object file with a header, asserts shorthand and explicit test kinds', async () => {
    const file = {
      name: 'Class exercises',
      license: 'CC-BY-4.0',
      tasks: [
        {
          id: 'sq',
          prompt: 'Square a number.',
          entry_point: 'sq',
          asserts: ['assert sq(3) == 9'],
          reference: 'def sq(x):\n    return x * x\n',
          difficulty: 'easy',
        },
        {
          id: 'echo',
          prompt: 'Echo stdin.',
          tests: { kind: 'stdio', cases: [{ stdin: 'a', stdout: 'a' }] },
        },
        { id: 'bad', prompt: 'x', tests: { kind: 'unit' } },
      ],
    };
    const text = JSON.stringify(file, null, 2);
    const p = await parse('mine.json', text);
    // The bad element's `{` is on the line before its `"id": "bad"`.
    const badLine = text.split('\n').findIndex((l) => l.includes('"id": "bad"'));
    expect(p.format).toBe('athanor');
    expect(p.name).toBe('Class exercises');
    expect(p.license).toBe('CC-BY-4.0');
    expect(p.tasks.map((t) => [t.sourceId, t.style, t.tests.kind])).toEqual([
      ['sq', 'function', 'asserts'],
      ['echo', 'stdio', 'stdio'],
    ]);
    expect(p.tasks[0]!.signature).toBe('def sq(x):');
    expect(p.errors[0]?.field).toBe('tests.kind');
    expect(p.errors[0]?.line).toBe(badLine);
  });
});
