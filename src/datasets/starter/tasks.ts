/**
 * Athanor's starter set: original Python tasks written for this project (not taken from any
 * benchmark), from easy to hard, each with a reference solution and at least five tests, edge
 * cases included. Released under the project's license (MIT). Validated by execution in
 * test/integration/datasets-starter.test.ts.
 */
import type { Difficulty } from '../../core/types';

export interface StarterFunctionTask {
  id: string;
  title: string;
  difficulty: Difficulty;
  tags: string[];
  /** What the task asks, shown to the model together with the signature. */
  description: string;
  entryPoint: string;
  reference: string;
  asserts: string[];
  setup?: string;
}

export interface StarterStdioTask {
  id: string;
  title: string;
  difficulty: Difficulty;
  tags: string[];
  description: string;
  reference: string;
  cases: { stdin: string; stdout: string }[];
}

export const STARTER_FUNCTION_TASKS: StarterFunctionTask[] = [
  // ----------------------------------------------------------------------------- easy
  {
    id: 'clamp',
    title: 'Clamp a number into a range',
    difficulty: 'easy',
    tags: ['numbers'],
    description:
      'Return `value` limited to the closed range [`low`, `high`]: `low` if it is below, `high` if it is above, else the value itself. Raise ValueError when `low` is greater than `high`.',
    entryPoint: 'clamp',
    reference: `def clamp(value, low, high):
    if low > high:
        raise ValueError("low must not exceed high")
    return max(low, min(value, high))
`,
    asserts: [
      'assert clamp(5, 0, 10) == 5',
      'assert clamp(-3, 0, 10) == 0',
      'assert clamp(42, 0, 10) == 10',
      'assert clamp(7, 7, 7) == 7',
      'assert clamp(2.5, 1.0, 2.0) == 2.0',
      'assert raises(ValueError, clamp, 1, 5, 2)',
    ],
  },
  {
    id: 'count-vowels',
    title: 'Count the vowels in a text',
    difficulty: 'easy',
    tags: ['strings'],
    description:
      'Count the letters a, e, i, o and u in `text`, in either case. The letter y does not count.',
    entryPoint: 'count_vowels',
    reference: `def count_vowels(text):
    return sum(1 for ch in text.lower() if ch in "aeiou")
`,
    asserts: [
      'assert count_vowels("Athanor") == 3',
      'assert count_vowels("") == 0',
      'assert count_vowels("rhythm") == 0',
      'assert count_vowels("AEIOU aeiou") == 10',
      'assert count_vowels("Quick, 42 brown foxes!") == 5',
    ],
  },
  {
    id: 'leap-year',
    title: 'Is it a leap year?',
    difficulty: 'easy',
    tags: ['dates'],
    description:
      'Return True when `year` is a leap year in the Gregorian calendar: divisible by 4, except years divisible by 100 that are not divisible by 400.',
    entryPoint: 'is_leap_year',
    reference: `def is_leap_year(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
`,
    asserts: [
      'assert is_leap_year(2024) is True',
      'assert is_leap_year(2023) is False',
      'assert is_leap_year(1900) is False',
      'assert is_leap_year(2000) is True',
      'assert is_leap_year(2400) is True',
      'assert is_leap_year(2100) is False',
    ],
  },
  {
    id: 'celsius-to-fahrenheit',
    title: 'Convert Celsius to Fahrenheit',
    difficulty: 'easy',
    tags: ['numbers'],
    description:
      'Convert a temperature in degrees Celsius to degrees Fahrenheit, rounded to one decimal place.',
    entryPoint: 'c_to_f',
    reference: `def c_to_f(celsius):
    return round(celsius * 9 / 5 + 32, 1)
`,
    asserts: [
      'assert c_to_f(0) == 32.0',
      'assert c_to_f(100) == 212.0',
      'assert c_to_f(-40) == -40.0',
      'assert c_to_f(37) == 98.6',
      'assert c_to_f(-273.15) == -459.7',
    ],
  },
  {
    id: 'second-largest',
    title: 'Second largest distinct value',
    difficulty: 'easy',
    tags: ['lists'],
    description:
      'Return the second largest distinct number in the list `nums`, or None when the list has fewer than two distinct values.',
    entryPoint: 'second_largest',
    reference: `def second_largest(nums):
    distinct = sorted(set(nums), reverse=True)
    return distinct[1] if len(distinct) >= 2 else None
`,
    asserts: [
      'assert second_largest([3, 1, 4, 1, 5]) == 4',
      'assert second_largest([5, 5, 5]) is None',
      'assert second_largest([]) is None',
      'assert second_largest([-2, -7]) == -7',
      'assert second_largest([9, 9, 8, 8]) == 8',
    ],
  },
  {
    id: 'capitalize-words',
    title: 'Capitalize every word',
    difficulty: 'easy',
    tags: ['strings'],
    description:
      'Upper-case the first character of every word in `sentence` and leave every other character as it is. Words are separated by single or repeated spaces, which must be kept exactly.',
    entryPoint: 'capitalize_words',
    reference: `def capitalize_words(sentence):
    return " ".join(w[:1].upper() + w[1:] for w in sentence.split(" "))
`,
    asserts: [
      'assert capitalize_words("hello world") == "Hello World"',
      'assert capitalize_words("") == ""',
      'assert capitalize_words("  two  spaces ") == "  Two  Spaces "',
      'assert capitalize_words("iPhone and eBay") == "IPhone And EBay"',
      'assert capitalize_words("42 is the answer") == "42 Is The Answer"',
    ],
  },
  {
    id: 'digit-sum',
    title: 'Sum of the digits',
    difficulty: 'easy',
    tags: ['numbers'],
    description: 'Return the sum of the decimal digits of the integer `n`; the sign is ignored.',
    entryPoint: 'digit_sum',
    reference: `def digit_sum(n):
    return sum(int(d) for d in str(abs(n)))
`,
    asserts: [
      'assert digit_sum(0) == 0',
      'assert digit_sum(7) == 7',
      'assert digit_sum(1234) == 10',
      'assert digit_sum(-905) == 14',
      'assert digit_sum(10**20) == 1',
    ],
  },
  {
    id: 'merge-counts',
    title: 'Merge two tallies',
    difficulty: 'easy',
    tags: ['dicts'],
    description:
      'Given two dictionaries mapping keys to numbers, return a new dictionary with every key of either; a key present in both maps to the sum of its two values. The inputs must not be modified.',
    entryPoint: 'merge_counts',
    reference: `def merge_counts(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out
`,
    asserts: [
      'assert merge_counts({"x": 1}, {"y": 2}) == {"x": 1, "y": 2}',
      'assert merge_counts({"x": 1, "y": 2}, {"y": 3}) == {"x": 1, "y": 5}',
      'assert merge_counts({}, {}) == {}',
      'assert (lambda a, b: (merge_counts(a, b), a, b)[1:])({"k": 1}, {"k": 1}) == ({"k": 1}, {"k": 1})',
      'assert merge_counts({"n": -2}, {"n": 2}) == {"n": 0}',
    ],
  },
  {
    id: 'flatten-once',
    title: 'Flatten one level of nesting',
    difficulty: 'easy',
    tags: ['lists'],
    description:
      'Given a list of lists, return one list holding their elements in order. Only one level is flattened.',
    entryPoint: 'flatten_once',
    reference: `def flatten_once(lists):
    return [x for sub in lists for x in sub]
`,
    asserts: [
      'assert flatten_once([[1, 2], [3], []]) == [1, 2, 3]',
      'assert flatten_once([]) == []',
      'assert flatten_once([[]]) == []',
      'assert flatten_once([[[1]], [2, [3]]]) == [[1], 2, [3]]',
      'assert flatten_once([["a"], ["b", "c"]]) == ["a", "b", "c"]',
    ],
  },
  {
    id: 'pangram',
    title: 'Does a sentence use every letter?',
    difficulty: 'easy',
    tags: ['strings'],
    description:
      'Return True when `text` contains every letter of the English alphabet at least once, ignoring case.',
    entryPoint: 'is_pangram',
    reference: `def is_pangram(text):
    return set("abcdefghijklmnopqrstuvwxyz") <= set(text.lower())
`,
    asserts: [
      'assert is_pangram("The quick brown fox jumps over the lazy dog") is True',
      'assert is_pangram("") is False',
      'assert is_pangram("abcdefghijklmnopqrstuvwxy") is False',
      'assert is_pangram("ABCDEFGHIJKLMNOPQRSTUVWXYZ") is True',
      'assert is_pangram("Sphinx of black quartz, judge my vow!") is True',
    ],
  },
  {
    id: 'dedupe-keep-order',
    title: 'Remove duplicates, keep order',
    difficulty: 'easy',
    tags: ['lists'],
    description:
      'Return the items of the list with later repeats removed, keeping the first occurrence of each in its original order.',
    entryPoint: 'dedupe',
    reference: `def dedupe(items):
    seen = set()
    out = []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
`,
    asserts: [
      'assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]',
      'assert dedupe([]) == []',
      'assert dedupe(["b", "a", "b"]) == ["b", "a"]',
      'assert dedupe([1, 1, 1, 1]) == [1]',
      'assert dedupe([(1, 2), (1, 2), (2, 1)]) == [(1, 2), (2, 1)]',
    ],
  },
  {
    id: 'safe-divide',
    title: 'Division with a fallback',
    difficulty: 'easy',
    tags: ['numbers'],
    description: 'Return `a / b`, or `default` (None unless given) when `b` is zero.',
    entryPoint: 'safe_divide',
    reference: `def safe_divide(a, b, default=None):
    if b == 0:
        return default
    return a / b
`,
    asserts: [
      'assert safe_divide(6, 3) == 2.0',
      'assert safe_divide(1, 0) is None',
      'assert safe_divide(1, 0, 0) == 0',
      'assert safe_divide(-9, 2) == -4.5',
      'assert safe_divide(0, 5) == 0.0',
      'assert safe_divide(1, 0.0, "n/a") == "n/a"',
    ],
  },
  {
    id: 'chunk-list',
    title: 'Split a list into chunks',
    difficulty: 'easy',
    tags: ['lists'],
    description:
      'Split `items` into consecutive lists of length `size`; the last chunk may be shorter. Raise ValueError when `size` is less than 1.',
    entryPoint: 'chunk',
    reference: `def chunk(items, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i:i + size] for i in range(0, len(items), size)]
`,
    asserts: [
      'assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]',
      'assert chunk([], 3) == []',
      'assert chunk([1, 2], 5) == [[1, 2]]',
      'assert chunk([1, 2, 3], 1) == [[1], [2], [3]]',
      'assert raises(ValueError, chunk, [1], 0)',
    ],
  },
  // ----------------------------------------------------------------------------- medium
  {
    id: 'run-length-encode',
    title: 'Run-length encoding',
    difficulty: 'medium',
    tags: ['strings', 'compression'],
    description:
      'Encode the string `s` as a list of (character, count) tuples, one per run of equal consecutive characters, in order.',
    entryPoint: 'rle_encode',
    reference: `def rle_encode(s):
    out = []
    for ch in s:
        if out and out[-1][0] == ch:
            out[-1] = (ch, out[-1][1] + 1)
        else:
            out.append((ch, 1))
    return out
`,
    asserts: [
      'assert rle_encode("aaabcc") == [("a", 3), ("b", 1), ("c", 2)]',
      'assert rle_encode("") == []',
      'assert rle_encode("x") == [("x", 1)]',
      'assert rle_encode("abab") == [("a", 1), ("b", 1), ("a", 1), ("b", 1)]',
      'assert rle_encode("  ") == [(" ", 2)]',
      'assert rle_encode("AaA") == [("A", 1), ("a", 1), ("A", 1)]',
    ],
  },
  {
    id: 'run-length-decode',
    title: 'Run-length decoding',
    difficulty: 'medium',
    tags: ['strings', 'compression'],
    description:
      'Decode a string like "3a2b1c" (a count followed by one character, repeated) back to "aaabbc". Counts may have several digits; a count of 0 produces nothing. Raise ValueError when the text is not of that form.',
    entryPoint: 'rle_decode',
    reference: `import re

def rle_decode(code):
    if not re.fullmatch(r"(?:\\d+\\D)*", code):
        raise ValueError("malformed run-length code")
    return "".join(ch * int(n) for n, ch in re.findall(r"(\\d+)(\\D)", code))
`,
    asserts: [
      'assert rle_decode("3a2b1c") == "aaabbc"',
      'assert rle_decode("") == ""',
      'assert rle_decode("12x") == "x" * 12',
      'assert rle_decode("0a2b") == "bb"',
      'assert rle_decode("1 2-") == " --"',
      'assert raises(ValueError, rle_decode, "a3")',
    ],
  },
  {
    id: 'int-to-roman',
    title: 'Integer to Roman numerals',
    difficulty: 'medium',
    tags: ['numbers', 'strings'],
    description:
      'Write `n` (1 to 3999) in Roman numerals using subtractive notation (IV, IX, XL, XC, CD, CM). Raise ValueError outside that range.',
    entryPoint: 'to_roman',
    reference: `def to_roman(n):
    if not 1 <= n <= 3999:
        raise ValueError("n must be between 1 and 3999")
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, sym in table:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)
`,
    asserts: [
      'assert to_roman(1) == "I"',
      'assert to_roman(4) == "IV"',
      'assert to_roman(1994) == "MCMXCIV"',
      'assert to_roman(3999) == "MMMCMXCIX"',
      'assert to_roman(2026) == "MMXXVI"',
      'assert raises(ValueError, to_roman, 0)',
    ],
  },
  {
    id: 'balanced-brackets',
    title: 'Balanced brackets',
    difficulty: 'medium',
    tags: ['strings', 'stacks'],
    description:
      'Return True when every (, [ and { in `text` is closed by the matching bracket in the right order. Characters that are not brackets are ignored.',
    entryPoint: 'is_balanced',
    reference: `def is_balanced(text):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack
`,
    asserts: [
      'assert is_balanced("") is True',
      'assert is_balanced("f(a[0], {b: c})") is True',
      'assert is_balanced("([)]") is False',
      'assert is_balanced("((") is False',
      'assert is_balanced("())") is False',
      'assert is_balanced("}{") is False',
    ],
  },
  {
    id: 'rotate-matrix',
    title: 'Rotate a matrix clockwise',
    difficulty: 'medium',
    tags: ['matrices'],
    description:
      'Return a new matrix (a list of rows) that is `matrix` rotated 90 degrees clockwise. The matrix may be rectangular; the input must not be modified.',
    entryPoint: 'rotate_clockwise',
    reference: `def rotate_clockwise(matrix):
    return [list(row) for row in zip(*matrix[::-1])]
`,
    asserts: [
      'assert rotate_clockwise([[1, 2], [3, 4]]) == [[3, 1], [4, 2]]',
      'assert rotate_clockwise([]) == []',
      'assert rotate_clockwise([[1]]) == [[1]]',
      'assert rotate_clockwise([[1, 2, 3]]) == [[1], [2], [3]]',
      'assert rotate_clockwise([[1], [2], [3]]) == [[3, 2, 1]]',
      'assert (lambda m: (rotate_clockwise(m), m)[1])([[1, 2], [3, 4]]) == [[1, 2], [3, 4]]',
    ],
  },
  {
    id: 'spiral-order',
    title: 'Read a matrix in spiral order',
    difficulty: 'medium',
    tags: ['matrices'],
    description:
      'Return the elements of `matrix` (a list of equally long rows) in clockwise spiral order, starting at the top-left corner.',
    entryPoint: 'spiral',
    reference: `def spiral(matrix):
    out = []
    rows = [list(r) for r in matrix]
    while rows:
        out.extend(rows.pop(0))
        rows = [list(r) for r in zip(*rows)][::-1]
    return out
`,
    asserts: [
      'assert spiral([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == [1, 2, 3, 6, 9, 8, 7, 4, 5]',
      'assert spiral([]) == []',
      'assert spiral([[1, 2, 3, 4]]) == [1, 2, 3, 4]',
      'assert spiral([[1], [2], [3]]) == [1, 2, 3]',
      'assert spiral([[1, 2], [3, 4], [5, 6]]) == [1, 2, 4, 6, 5, 3]',
    ],
  },
  {
    id: 'merge-intervals',
    title: 'Merge overlapping intervals',
    difficulty: 'medium',
    tags: ['intervals', 'sorting'],
    description:
      'Given closed intervals as [start, end] pairs in any order, merge those that overlap or touch and return the result sorted by start, as a list of [start, end] lists.',
    entryPoint: 'merge_intervals',
    reference: `def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
`,
    asserts: [
      'assert merge_intervals([[1, 3], [2, 6], [8, 10]]) == [[1, 6], [8, 10]]',
      'assert merge_intervals([]) == []',
      'assert merge_intervals([[5, 7], [1, 2]]) == [[1, 2], [5, 7]]',
      'assert merge_intervals([[1, 4], [4, 5]]) == [[1, 5]]',
      'assert merge_intervals([[1, 10], [2, 3], [4, 5]]) == [[1, 10]]',
      'assert merge_intervals([[3, 3]]) == [[3, 3]]',
    ],
  },
  {
    id: 'word-wrap',
    title: 'Greedy word wrap',
    difficulty: 'medium',
    tags: ['strings'],
    description:
      'Break `text` into lines of at most `width` characters, filling each line with as many whole words as fit (words separated by one space). A word longer than `width` goes on a line of its own. Return the list of lines; extra whitespace in the input is ignored.',
    entryPoint: 'wrap',
    reference: `def wrap(text, width):
    lines = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines
`,
    asserts: [
      'assert wrap("the quick brown fox", 10) == ["the quick", "brown fox"]',
      'assert wrap("", 5) == []',
      'assert wrap("   ", 5) == []',
      'assert wrap("a supercalifragilistic word", 8) == ["a", "supercalifragilistic", "word"]',
      'assert wrap("one two", 7) == ["one two"]',
      'assert wrap("one two", 6) == ["one", "two"]',
    ],
  },
  {
    id: 'caesar-shift',
    title: 'Caesar cipher',
    difficulty: 'medium',
    tags: ['strings'],
    description:
      'Shift every ASCII letter of `text` by `k` places in the alphabet, wrapping around and keeping its case; other characters stay. `k` may be negative or larger than 26.',
    entryPoint: 'caesar',
    reference: `def caesar(text, k):
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + k) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + k) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)
`,
    asserts: [
      'assert caesar("abc", 1) == "bcd"',
      'assert caesar("xyz", 3) == "abc"',
      'assert caesar("Hello, World!", 13) == "Uryyb, Jbeyq!"',
      'assert caesar("abc", -1) == "zab"',
      'assert caesar("Zz", 52) == "Zz"',
      'assert caesar("", 5) == ""',
      'assert caesar("é1", 4) == "é1"',
    ],
  },
  {
    id: 'anagram-groups',
    title: 'Group anagrams',
    difficulty: 'medium',
    tags: ['strings', 'hashing'],
    description:
      'Group the words that are anagrams of each other (same letters, same counts, case-sensitive). Return the groups as sorted lists, and the list of groups sorted too.',
    entryPoint: 'anagram_groups',
    reference: `def anagram_groups(words):
    groups = {}
    for w in words:
        groups.setdefault("".join(sorted(w)), []).append(w)
    return sorted(sorted(g) for g in groups.values())
`,
    asserts: [
      'assert anagram_groups(["eat", "tea", "tan", "ate", "nat", "bat"]) == [["ate", "eat", "tea"], ["bat"], ["nat", "tan"]]',
      'assert anagram_groups([]) == []',
      'assert anagram_groups([""]) == [[""]]',
      'assert anagram_groups(["ab", "Ba"]) == [["Ba"], ["ab"]]',
      'assert anagram_groups(["abc", "abc"]) == [["abc", "abc"]]',
    ],
  },
  {
    id: 'moving-average',
    title: 'Moving average',
    difficulty: 'medium',
    tags: ['numbers', 'lists'],
    description:
      'Return the averages of every run of `window` consecutive values, in order. Return an empty list when there are fewer values than `window`; raise ValueError when `window` is less than 1.',
    entryPoint: 'moving_average',
    reference: `def moving_average(values, window):
    if window < 1:
        raise ValueError("window must be at least 1")
    out = []
    total = 0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        if i >= window - 1:
            out.append(total / window)
    return out
`,
    asserts: [
      'assert moving_average([1, 2, 3, 4, 5], 2) == [1.5, 2.5, 3.5, 4.5]',
      'assert moving_average([1, 2], 3) == []',
      'assert moving_average([4], 1) == [4.0]',
      'assert moving_average([], 1) == []',
      'assert all(abs(a - b) < 1e-9 for a, b in zip(moving_average([0.1, 0.2, 0.3], 3), [0.2]))',
      'assert raises(ValueError, moving_average, [1], 0)',
    ],
  },
  {
    id: 'parse-duration',
    title: 'Parse a duration like 1h30m',
    difficulty: 'medium',
    tags: ['strings', 'parsing'],
    description:
      'Convert a duration written as hours, minutes and seconds ("2h", "1h30m", "45s", "1h5s"; each unit at most once, in the order h, m, s) to a number of seconds. Raise ValueError for anything else, including the empty string.',
    entryPoint: 'parse_duration',
    reference: `import re

def parse_duration(text):
    m = re.fullmatch(r"(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?", text)
    if not text or not m:
        raise ValueError("not a duration: " + repr(text))
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mi * 60 + s
`,
    asserts: [
      'assert parse_duration("1h30m") == 5400',
      'assert parse_duration("45s") == 45',
      'assert parse_duration("2h0m1s") == 7201',
      'assert parse_duration("90m") == 5400',
      'assert raises(ValueError, parse_duration, "")',
      'assert raises(ValueError, parse_duration, "5m1h")',
    ],
  },
  {
    id: 'most-common-char',
    title: 'Most common character',
    difficulty: 'medium',
    tags: ['strings', 'counting'],
    description:
      'Return the character that occurs most often in `s`; when several tie, the one that appears first in `s`. Return None for an empty string.',
    entryPoint: 'most_common_char',
    reference: `def most_common_char(s):
    counts = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    best = None
    for ch in s:
        if best is None or counts[ch] > counts[best]:
            best = ch
    return best
`,
    asserts: [
      'assert most_common_char("abracadabra") == "a"',
      'assert most_common_char("") is None',
      'assert most_common_char("abcabc") == "a"',
      'assert most_common_char("bbaa") == "b"',
      'assert most_common_char("a  b") == " "',
    ],
  },
  {
    id: 'first-occurrence',
    title: 'Binary search for the first occurrence',
    difficulty: 'medium',
    tags: ['searching'],
    description:
      'Given a list sorted in ascending order, return the index of the first occurrence of `target`, or -1 when it is absent. Use binary search: the tests call it on long lists.',
    entryPoint: 'first_index',
    reference: `def first_index(sorted_list, target):
    lo, hi = 0, len(sorted_list)
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_list[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(sorted_list) and sorted_list[lo] == target else -1
`,
    asserts: [
      'assert first_index([1, 2, 2, 2, 3], 2) == 1',
      'assert first_index([], 5) == -1',
      'assert first_index([1, 3, 5], 4) == -1',
      'assert first_index([7, 7, 7], 7) == 0',
      'assert first_index([1, 3, 5], 6) == -1',
      'assert first_index(list(range(0, 2_000_000, 2)), 1_999_998) == 999_999',
    ],
  },
  {
    id: 'compare-versions',
    title: 'Compare version strings',
    difficulty: 'medium',
    tags: ['strings', 'parsing'],
    description:
      'Compare two dotted version strings such as "1.10.2" numerically, part by part; a missing part counts as 0 (so "1.0" equals "1"). Return -1, 0 or 1 as `a` is lower than, equal to or higher than `b`.',
    entryPoint: 'compare_versions',
    reference: `def compare_versions(a, b):
    pa = [int(x) for x in a.split(".")]
    pb = [int(x) for x in b.split(".")]
    n = max(len(pa), len(pb))
    pa += [0] * (n - len(pa))
    pb += [0] * (n - len(pb))
    return (pa > pb) - (pa < pb)
`,
    asserts: [
      'assert compare_versions("1.10", "1.9") == 1',
      'assert compare_versions("1.0", "1") == 0',
      'assert compare_versions("2.0.1", "2.0.10") == -1',
      'assert compare_versions("0.0.0", "0") == 0',
      'assert compare_versions("3", "2.99.99") == 1',
    ],
  },
  {
    id: 'nested-sum',
    title: 'Sum numbers in nested data',
    difficulty: 'medium',
    tags: ['recursion'],
    description:
      'Return the sum of every int and float found anywhere in `data`, which may nest lists, tuples and dicts (for dicts, only the values count). Booleans and strings are not numbers here.',
    entryPoint: 'nested_sum',
    reference: `def nested_sum(data):
    if isinstance(data, bool):
        return 0
    if isinstance(data, (int, float)):
        return data
    if isinstance(data, dict):
        return sum(nested_sum(v) for v in data.values())
    if isinstance(data, (list, tuple)):
        return sum(nested_sum(v) for v in data)
    return 0
`,
    asserts: [
      'assert nested_sum([1, [2, [3, [4]]]]) == 10',
      'assert nested_sum([]) == 0',
      'assert nested_sum({"a": 1, "b": {"c": 2.5}, 3: "x"}) == 3.5',
      'assert nested_sum([True, False, 2]) == 2',
      'assert nested_sum((1, (2,), {"k": [3]})) == 6',
      'assert nested_sum(5) == 5',
    ],
  },
  // ----------------------------------------------------------------------------- hard
  {
    id: 'edit-distance',
    title: 'Edit distance between two strings',
    difficulty: 'hard',
    tags: ['dynamic programming', 'strings'],
    description:
      'Return the Levenshtein distance between `a` and `b`: the fewest single-character insertions, deletions and substitutions that turn one into the other.',
    entryPoint: 'edit_distance',
    reference: `def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
`,
    asserts: [
      'assert edit_distance("kitten", "sitting") == 3',
      'assert edit_distance("", "") == 0',
      'assert edit_distance("", "abc") == 3',
      'assert edit_distance("flaw", "lawn") == 2',
      'assert edit_distance("same", "same") == 0',
      'assert edit_distance("a" * 300, "b" * 300) == 300',
    ],
  },
  {
    id: 'longest-increasing-subsequence',
    title: 'Longest strictly increasing subsequence',
    difficulty: 'hard',
    tags: ['dynamic programming'],
    description:
      'Return the length of the longest strictly increasing subsequence of `nums` (not necessarily contiguous). The tests include a list of 20,000 numbers, so aim for O(n log n).',
    entryPoint: 'lis_length',
    reference: `from bisect import bisect_left

def lis_length(nums):
    tails = []
    for x in nums:
        i = bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)
`,
    asserts: [
      'assert lis_length([10, 9, 2, 5, 3, 7, 101, 18]) == 4',
      'assert lis_length([]) == 0',
      'assert lis_length([5, 5, 5]) == 1',
      'assert lis_length([3, 2, 1]) == 1',
      'assert lis_length(list(range(20000))) == 20000',
      'assert lis_length([1, 3, 2, 4, 3, 5]) == 4',
    ],
  },
  {
    id: 'grid-shortest-path',
    title: 'Shortest path through a grid',
    difficulty: 'hard',
    tags: ['graphs', 'bfs'],
    description:
      'The grid is a list of equally long strings of "." (open) and "#" (wall). Return the fewest steps (up, down, left, right) from the top-left cell to the bottom-right cell, or -1 when there is no path or either end is a wall.',
    entryPoint: 'shortest_path',
    reference: `from collections import deque

def shortest_path(grid):
    if not grid or not grid[0]:
        return -1
    rows, cols = len(grid), len(grid[0])
    if grid[0][0] == "#" or grid[rows - 1][cols - 1] == "#":
        return -1
    dist = {(0, 0): 0}
    queue = deque([(0, 0)])
    while queue:
        r, c = queue.popleft()
        if (r, c) == (rows - 1, cols - 1):
            return dist[(r, c)]
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] == "." and (nr, nc) not in dist:
                dist[(nr, nc)] = dist[(r, c)] + 1
                queue.append((nr, nc))
    return -1
`,
    asserts: [
      'assert shortest_path(["..", ".."]) == 2',
      'assert shortest_path(["."]) == 0',
      'assert shortest_path([".#", "#."]) == -1',
      'assert shortest_path(["#."]) == -1',
      'assert shortest_path(["...#", "##.#", "....", ".##."]) == 6',
      'assert shortest_path(["." * 200] * 200) == 398',
    ],
  },
  {
    id: 'evaluate-expression',
    title: 'Evaluate an arithmetic expression',
    difficulty: 'hard',
    tags: ['parsing'],
    description:
      'Evaluate an expression of non-negative numbers (integers or decimals), + - * /, unary minus and parentheses, with the usual precedence and left associativity; spaces may appear anywhere. Return a float. Do not use eval or exec. Raise ValueError for a malformed expression; division by zero raises ZeroDivisionError.',
    entryPoint: 'evaluate',
    reference: `import re

def evaluate(expr):
    tokens = re.findall(r"\\d+\\.\\d*|\\.\\d+|\\d+|[-+*/()]|\\S", expr)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        tok = peek()
        if tok is None:
            raise ValueError("unexpected end of expression")
        pos += 1
        return tok

    def expression():
        value = term()
        while peek() in ("+", "-"):
            if take() == "+":
                value += term()
            else:
                value -= term()
        return value

    def term():
        value = factor()
        while peek() in ("*", "/"):
            if take() == "*":
                value *= factor()
            else:
                value /= factor()
        return value

    def factor():
        tok = take()
        if tok == "-":
            return -factor()
        if tok == "(":
            value = expression()
            if take() != ")":
                raise ValueError("missing )")
            return value
        try:
            return float(tok)
        except ValueError:
            raise ValueError("unexpected token " + repr(tok)) from None

    result = expression()
    if peek() is not None:
        raise ValueError("unexpected token " + repr(peek()))
    return result
`,
    asserts: [
      'assert evaluate("1 + 2 * 3") == 7.0',
      'assert evaluate("(1 + 2) * 3") == 9.0',
      'assert evaluate("10 / 4 - 1") == 1.5',
      'assert evaluate("-(2 + 3) * -2") == 10.0',
      'assert evaluate("8 - 3 - 2") == 3.0',
      'assert abs(evaluate(" 0.1+0.2 ") - 0.3) < 1e-9',
      'assert raises(ValueError, evaluate, "2 +")',
      'assert raises(ValueError, evaluate, "(1")',
    ],
  },
  {
    id: 'topological-order',
    title: 'Order tasks by their dependencies',
    difficulty: 'hard',
    tags: ['graphs'],
    description:
      '`deps` maps each task name to the list of names it depends on (a dependency may appear only as a dependency). Return every name in an order where each comes after all its dependencies; among names that are ready at the same time, take the alphabetically smallest first. Raise ValueError when the dependencies form a cycle.',
    entryPoint: 'topological_order',
    reference: `import heapq

def topological_order(deps):
    nodes = set(deps)
    for ds in deps.values():
        nodes.update(ds)
    waiting = {n: set(deps.get(n, ())) for n in nodes}
    users = {n: [] for n in nodes}
    for n, ds in waiting.items():
        for d in ds:
            users[d].append(n)
    ready = [n for n, ds in waiting.items() if not ds]
    heapq.heapify(ready)
    order = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for u in users[n]:
            waiting[u].discard(n)
            if not waiting[u]:
                heapq.heappush(ready, u)
    if len(order) != len(nodes):
        raise ValueError("dependency cycle")
    return order
`,
    asserts: [
      'assert topological_order({"b": ["a"], "c": ["b"]}) == ["a", "b", "c"]',
      'assert topological_order({}) == []',
      'assert topological_order({"z": [], "y": [], "x": []}) == ["x", "y", "z"]',
      'assert topological_order({"app": ["lib", "util"], "lib": ["util"]}) == ["util", "lib", "app"]',
      'assert raises(ValueError, topological_order, {"a": ["b"], "b": ["a"]})',
      'assert raises(ValueError, topological_order, {"a": ["a"]})',
    ],
  },
  {
    id: 'knapsack',
    title: '0/1 knapsack',
    difficulty: 'hard',
    tags: ['dynamic programming'],
    description:
      'Each item is a (weight, value) pair of non-negative integers and can be taken at most once. Return the largest total value whose total weight does not exceed `capacity`.',
    entryPoint: 'knapsack',
    reference: `def knapsack(items, capacity):
    best = [0] * (capacity + 1)
    for weight, value in items:
        for c in range(capacity, weight - 1, -1):
            best[c] = max(best[c], best[c - weight] + value)
    return best[capacity] if capacity >= 0 else 0
`,
    asserts: [
      'assert knapsack([(1, 1), (3, 4), (4, 5), (5, 7)], 7) == 9',
      'assert knapsack([], 10) == 0',
      'assert knapsack([(5, 10)], 4) == 0',
      'assert knapsack([(0, 3), (2, 2)], 0) == 3',
      'assert knapsack([(2, 3), (2, 3), (2, 3)], 4) == 6',
      'assert knapsack([(w, w * 2 + 1) for w in range(1, 60)], 500) == 1031',
    ],
  },
  {
    id: 'count-islands',
    title: 'Count the islands',
    difficulty: 'hard',
    tags: ['graphs'],
    description:
      'The map is a list of equally long strings of "1" (land) and "0" (water). Return the number of islands: groups of land cells connected up, down, left or right (not diagonally). Maps can be large, so avoid deep recursion.',
    entryPoint: 'count_islands',
    reference: `def count_islands(grid):
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    seen = set()
    islands = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] != "1" or (r, c) in seen:
                continue
            islands += 1
            stack = [(r, c)]
            seen.add((r, c))
            while stack:
                y, x = stack.pop()
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < rows and 0 <= nx < cols and grid[ny][nx] == "1" and (ny, nx) not in seen:
                        seen.add((ny, nx))
                        stack.append((ny, nx))
    return islands
`,
    asserts: [
      'assert count_islands(["11000", "11000", "00100", "00011"]) == 3',
      'assert count_islands([]) == 0',
      'assert count_islands(["000"]) == 0',
      'assert count_islands(["101", "010", "101"]) == 5',
      'assert count_islands(["1" * 300] * 300) == 1',
    ],
  },
  {
    id: 'lru-misses',
    title: 'Count misses of an LRU cache',
    difficulty: 'hard',
    tags: ['caching', 'simulation'],
    description:
      'Simulate a least-recently-used cache holding at most `capacity` keys over the sequence `requests`, and return how many requests were misses (the key was not in the cache). A capacity of 0 misses everything.',
    entryPoint: 'lru_misses',
    reference: `from collections import OrderedDict

def lru_misses(capacity, requests):
    cache = OrderedDict()
    misses = 0
    for key in requests:
        if key in cache:
            cache.move_to_end(key)
            continue
        misses += 1
        if capacity == 0:
            continue
        cache[key] = True
        if len(cache) > capacity:
            cache.popitem(last=False)
    return misses
`,
    asserts: [
      'assert lru_misses(2, [1, 2, 1, 3, 2]) == 4',
      'assert lru_misses(0, [1, 1, 1]) == 3',
      'assert lru_misses(3, []) == 0',
      'assert lru_misses(1, ["a", "a", "b", "a"]) == 3',
      'assert lru_misses(2, [1, 2, 1, 2, 1]) == 2',
      'assert lru_misses(100, list(range(50)) * 3) == 50',
    ],
  },
  {
    id: 'coin-change-ways',
    title: 'Ways to make change',
    difficulty: 'hard',
    tags: ['dynamic programming'],
    description:
      'Return the number of distinct multisets of coins from `coins` (each denomination usable any number of times) that add up to `amount`. Order does not matter; there is one way to make 0.',
    entryPoint: 'change_ways',
    reference: `def change_ways(amount, coins):
    ways = [1] + [0] * amount
    for coin in set(coins):
        for a in range(coin, amount + 1):
            ways[a] += ways[a - coin]
    return ways[amount]
`,
    asserts: [
      'assert change_ways(5, [1, 2, 5]) == 4',
      'assert change_ways(0, [3]) == 1',
      'assert change_ways(3, [2]) == 0',
      'assert change_ways(10, []) == 0',
      'assert change_ways(100, [1, 5, 10, 25, 50]) == 292',
      'assert change_ways(4, [1, 1, 2]) == 3',
    ],
  },
  {
    id: 'longest-palindrome',
    title: 'Longest palindromic substring',
    difficulty: 'hard',
    tags: ['strings'],
    description:
      'Return the longest contiguous substring of `s` that reads the same backwards; when several have that length, the one that starts first. Return "" for an empty string.',
    entryPoint: 'longest_palindrome',
    reference: `def longest_palindrome(s):
    best = ""
    for center in range(2 * len(s) - 1):
        lo = center // 2
        hi = lo + center % 2
        while lo >= 0 and hi < len(s) and s[lo] == s[hi]:
            lo -= 1
            hi += 1
        candidate = s[lo + 1:hi]
        if len(candidate) > len(best):
            best = candidate
    return best
`,
    asserts: [
      'assert longest_palindrome("babad") == "bab"',
      'assert longest_palindrome("cbbd") == "bb"',
      'assert longest_palindrome("") == ""',
      'assert longest_palindrome("x") == "x"',
      'assert longest_palindrome("abcde") == "a"',
      'assert longest_palindrome("forgeeksskeegfor") == "geeksskeeg"',
    ],
  },
  {
    id: 'get-path',
    title: 'Read a value by its path',
    difficulty: 'hard',
    tags: ['parsing', 'dicts'],
    description:
      'Return the value inside nested dicts and lists at a path such as "user.tags[1]" or "rows[0][2].name": dot-separated dict keys, each optionally followed by one or more [index] list indexes (negative indexes count from the end). Return `default` (None unless given) when any step is missing or of the wrong type.',
    entryPoint: 'get_path',
    reference: `import re

def get_path(data, path, default=None):
    current = data
    for part in path.split("."):
        m = re.fullmatch(r"([^\\[\\]]*)((?:\\[-?\\d+\\])*)", part)
        if not m:
            return default
        key, indexes = m.groups()
        if key:
            if not isinstance(current, dict) or key not in current:
                return default
            current = current[key]
        for idx in re.findall(r"\\[(-?\\d+)\\]", indexes):
            i = int(idx)
            if not isinstance(current, list) or not -len(current) <= i < len(current):
                return default
            current = current[i]
    return current
`,
    asserts: [
      'assert get_path({"user": {"tags": ["a", "b"]}}, "user.tags[1]") == "b"',
      'assert get_path({"rows": [[1, 2, {"name": "x"}]]}, "rows[0][2].name") == "x"',
      'assert get_path({"a": 1}, "b") is None',
      'assert get_path({"a": [1]}, "a[5]", "none") == "none"',
      'assert get_path({"a": [1, 2, 3]}, "a[-1]") == 3',
      'assert get_path({"a": {"b": 0}}, "a.b.c", -1) == -1',
      'assert get_path([10, 20], "[1]") == 20',
    ],
  },
  {
    id: 'max-meetings',
    title: 'Most meetings in one room',
    difficulty: 'hard',
    tags: ['greedy', 'intervals'],
    description:
      'Meetings are (start, end) pairs with start < end. One room can host meetings that do not overlap; a meeting may start exactly when the previous one ends. Return the largest number of meetings the room can host.',
    entryPoint: 'max_meetings',
    reference: `def max_meetings(meetings):
    count = 0
    free_at = float("-inf")
    for start, end in sorted(meetings, key=lambda m: m[1]):
        if start >= free_at:
            count += 1
            free_at = end
    return count
`,
    asserts: [
      'assert max_meetings([(1, 3), (2, 4), (3, 5)]) == 2',
      'assert max_meetings([]) == 0',
      'assert max_meetings([(0, 10), (1, 2), (2, 3), (3, 4)]) == 3',
      'assert max_meetings([(1, 2), (1, 2), (1, 2)]) == 1',
      'assert max_meetings([(i, i + 1) for i in range(1000)]) == 1000',
    ],
  },
];

export const STARTER_STDIO_TASKS: StarterStdioTask[] = [
  {
    id: 'sum-and-max',
    title: 'Sum and maximum from standard input',
    difficulty: 'easy',
    tags: ['stdio'],
    description:
      'The first line of standard input holds a count n (n >= 1); the second line holds n integers separated by spaces. Print their sum and their maximum on one line, separated by one space.',
    reference: `n = int(input())
values = list(map(int, input().split()))[:n]
print(sum(values), max(values))
`,
    cases: [
      { stdin: '3\n1 2 3\n', stdout: '6 3\n' },
      { stdin: '1\n-5\n', stdout: '-5 -5\n' },
      { stdin: '4\n-1 -2 -3 -4\n', stdout: '-10 -1\n' },
      { stdin: '2\n1000000000000 1\n', stdout: '1000000000001 1000000000000\n' },
      { stdin: '5\n0 0 0 0 0\n', stdout: '0 0\n' },
    ],
  },
  {
    id: 'rank-scores',
    title: 'Rank players by score',
    difficulty: 'medium',
    tags: ['stdio', 'sorting'],
    description:
      'Each line of standard input is a player name and an integer score separated by one space. Print one line per player, "rank name score", ordered by score (highest first) and then by name (alphabetically). Players with equal scores share a rank, and the next rank skips accordingly (1, 2, 2, 4). Print nothing when the input is empty.',
    reference: `import sys

rows = []
for line in sys.stdin.read().splitlines():
    if line.strip():
        name, score = line.split()
        rows.append((name, int(score)))
rows.sort(key=lambda r: (-r[1], r[0]))
rank = 0
for i, (name, score) in enumerate(rows):
    if i == 0 or score != rows[i - 1][1]:
        rank = i + 1
    print(rank, name, score)
`,
    cases: [
      { stdin: 'ann 10\nbob 30\ncid 20\n', stdout: '1 bob 30\n2 cid 20\n3 ann 10\n' },
      { stdin: 'ann 5\nbob 7\ncid 5\ndan 1\n', stdout: '1 bob 7\n2 ann 5\n2 cid 5\n4 dan 1\n' },
      { stdin: '', stdout: '' },
      { stdin: 'solo -3\n', stdout: '1 solo -3\n' },
      { stdin: 'b 1\na 1\nc 1\n', stdout: '1 a 1\n1 b 1\n1 c 1\n' },
    ],
  },
];
