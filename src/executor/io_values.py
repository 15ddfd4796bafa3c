# Python half of the `io` test kind (EvalPlus), run in the harness's globals right after
# harness.py (it uses `_isolated` and `encode_value` from there). Kept apart from the harness so
# the rules of EvalPlus grading live in one place (see docs/task-format.md, "EvalPlus").
#
# - `call_io(fn, args)` calls the entry point and keeps its return value in Python, in a one-item
#   list: converting it to JavaScript would turn a million-digit int into a BigInt (through its
#   decimal text) only to convert it back for encoding.
# - `output_of(box, mode, big)` is what JavaScript receives of that value, as JSON text:
#   mode 0, the lossless encoding of docs/sandbox.md ("Values of io tests"); mode 1, EvalPlus's
#   `not_none` view (a bool as itself, None as null, anything else as `{"$notNone": true}`), so
#   a regex match object never has to be encoded; mode 2, like 0, but when the encoding is longer
#   than `big` characters and the value is one whose `==` a canonical text decides, the SHA-256 of
#   that text as `{"$sha256": "…"}`: HumanEval/15's expected outputs alone would be 147 MB.
#   mode 3: only that digest (or null when the value has no canonical text), for grading a case
#   whose expected value is a digest.
# - `collect_all(fn, args_list, atol, plus_from, big)` is validation's loop: the reference on
#   every input in one call (no JavaScript round trip per input, which would cost more than the
#   references themselves on HumanEval+'s 124,000 inputs), timing each call as EvalPlus's
#   `trusted_exec` does, and returning the outputs as in mode 2 (mode 1 for `not_none`, chosen by
#   the caller with `not_none`). It stops at the first exception: (outputs JSON, times, index, exc).
# Every read goes through C slots bound here at definition (as encode_value does), so no Python
# code of the value runs and a program cannot forge its output.
#
# `_isolated` and `encode_value` are harness.py's: this file runs in its globals (ruff.toml
# lets it use them undefined).
#
import hashlib as _hashlib
import itertools as _itertools
import math as _math
import time as _time

call_io = _isolated("""
def call_io(fn, args, BaseException=BaseException, clock=clock):
    t = clock()
    try:
        out = fn(*args)
    except BaseException as e:
        return (False, e, (clock() - t) * 1000.0)
    return (True, [out], (clock() - t) * 1000.0)
""", clock=_time.perf_counter)['call_io']

output_of = _isolated("""
def output_of(box, mode, big):
    x = list_get(box, 0)
    if mode == 1:
        t = type(x)
        if t is bool:
            return 'true' if x else 'false'
        return 'null' if x is None else '{"$notNone":true}'
    if mode == 3:
        # A candidate's output: Python's == decides, even for floats ([1.0, 2.0] == [1, 2]).
        return digest(x, False)
    if mode == 2 and long_(x, big):
        # Surely long: one pass for the digest instead of encoding first.
        d = digest(x, True)
        if d is not None:
            return d
    text = encode_value(x)
    if mode == 2 and len(text) > big:
        d = digest(x, True)
        if d is not None:
            return d
    return text

def output_boxed(box, mode, big):
    # As output_of, but (True, json) or (False, the TypeError / ValueError that says why the
    # value is not plain data), like the harness's encode_boxed: no exception crosses to JS.
    try:
        return (True, output_of(box, mode, big))
    except (TypeError, ValueError) as e:
        return (False, e)

def digest(x, expected):
    # '{"$sha256":"…"}' of the canonical text of x, or None when x has none. The canonical text
    # of two values is the same exactly when Python's == holds between them: numbers read as the
    # float they equal (True == 1 == 1.0) or, beyond 2^53, as the exact integer; strings carry
    # their length; lists and tuples differ.
    # An expected value EvalPlus compares with a tolerance (a float, or a list/tuple of floats)
    # is kept whole instead.
    t = type(x)
    if expected and (sub(t, float) or ((sub(t, list) or sub(t, tuple)) and is_floats(x))):
        return None
    h = sha256()
    parts = [h]
    if not canon(x, parts, 0):
        return None
    flush(parts)
    return '{"$sha256":"' + h.hexdigest() + '"}'

def flush(parts):
    # parts[0] is the hash; the text after it is hashed and dropped as it grows, so an output of
    # a hundred million strings (Mbpp/255) never sits in memory as text.
    parts[0].update(str_encode(''.join(list_items(parts, slice(1, None))), 'utf-8', 'surrogatepass'))
    del parts[1:]

def number_run(items):
    # A sequence of numbers only (int, float, bool or their subclasses), all finite and within
    # 2^53: 'F' and the hex of their float64 bytes (WebAssembly is little-endian), as each equals
    # exactly one float there (True == 1 == 1.0; +0.0 added makes -0.0 one with 0). Built in C:
    # HumanEval/130's outputs hold millions of numbers. Subclasses are read through the C slots
    # (no Python code of theirs runs), one by one.
    kinds = set_(map(type, items))
    if not kinds <= NUMBERS:
        for k in kinds:
            if not (sub(k, int) or sub(k, float)):
                return None
        items = list(map(exact_number, items))
    try:
        lo = min(items)
        hi = max(items)
        ok = -SAFE <= lo and hi <= SAFE and fsum(items) == fsum(items)
    except (OverflowError, ValueError):
        ok = False
    if not ok:
        return None
    if lo <= 0 <= hi:  # -0.0 may be there: one text with 0
        items = map(float_add, map(float, items), repeat(0.0))
    return 'F' + array('d', items).tobytes().hex()

def exact_number(x):
    return float_float(x) if sub(type(x), float) else int_index(x)

def strings_of_equal_rows(items, out):
    # Rows (all tuples or all lists) of one length k >= 1 holding plain strings only, as
    # Mbpp/255's 1.7 million 77-tuples: the same text canon writes row by row, built in C a chunk
    # of rows at a time, each distinct string's part made once.
    kinds = set_(map(type, items))
    if kinds != TUPLES and kinds != LISTS:
        return False
    lens = set_(map(len, items))
    k = min(lens)
    if len(lens) != 1 or k == 0 or set_(map(type, chain(items))) != STR:
        return False
    distinct = list(set_(chain(items)))
    parts = list(map(str_part, map(len, distinct), distinct))
    opening = '(' if kinds == TUPLES else '['
    # A string's text by its place in the row: the row's bracket before the first, its close
    # after the last (one lookup per string; join gets one piece per string).
    first = dict(zip(distinct, map(str_add, repeat(opening), parts)))
    last = dict(zip(distinct, map(str_add, parts, repeat('],'))))
    if k == 1:
        first = dict(zip(distinct, map(str_add, map(str_add, repeat(opening), parts), repeat('],'))))
    lookups = (first.__getitem__,) + (dict(zip(distinct, parts)).__getitem__,) * (k - 2) + (
        (last.__getitem__,) if k > 1 else ())
    step = max(1, 200000 // k)
    for start in range(0, len(items), step):
        rows = items[start:start + step]
        out.append(''.join(map(call, cycle(lookups), chain(rows))))
        flush(out)
    return True

def long_(x, big):
    t = type(x)
    if sub(t, str):
        return len(x) > big
    if sub(t, list) or sub(t, tuple):
        return len(x) > big // 4
    return False

def is_floats(x):
    items = list_items(x, ALL) if sub(type(x), list) else tuple_items(x, ALL)
    if not items:
        return False
    for v in items:
        if not sub(type(v), float):
            return False
    return True

def canon(x, out, depth):
    if depth > 100:
        return False
    t = type(x)
    if x is None:
        out.append('N')
    elif t is bool:
        out.append('f1.0' if x else 'f0.0')
    elif sub(t, int):
        n = int_index(x)
        # Within 2^53 an int converts to float exactly, so it reads as the float it equals.
        out.append(('f' + float_repr(float(n) + 0.0)) if -SAFE <= n <= SAFE else ('i' + hex_(n)))
    elif sub(t, float):
        f = float_float(x) + 0.0  # -0.0 == 0.0: one text for both
        if f != f:
            return False
        big = float_is_integer(f) and not (-SAFE <= f <= SAFE)
        out.append(('i' + hex_(float_int(f))) if big else ('f' + float_repr(f)))
    elif sub(t, str):
        s = str_str(x)
        out.append('s' + int_repr(len(s)) + ':')
        out.append(s)
    elif sub(t, bytes) or sub(t, bytearray):
        h = bytes_hex(x) if sub(t, bytes) else bytearray_hex(x)
        out.append('b' + int_repr(len(h)) + ':' + h)
    elif sub(t, list) or sub(t, tuple):
        items = list_items(x, ALL) if sub(t, list) else tuple_items(x, ALL)
        out.append('[' if sub(t, list) else '(')
        if items:
            packed = number_run(items)
            if packed is not None:
                out.append(packed)
                out.append(']')
                return True
        if items and set_(map(type, items)) == STR:
            # Plain strings: the same text as below, built in C.
            out.append(''.join(chain(zip(map(str_fmt, map(len, items)), items, repeat(',')))))
            out.append(']')
            return True
        if len(items) > 64 and strings_of_equal_rows(items, out):
            out.append(']')
            return True
        for v in items:
            if not canon(v, out, depth + 1):
                return False
            out.append(',')
            if len(out) > 4096:
                flush(out)
        out.append(']')
    else:
        return False
    return True
""", type=type, sub=issubclass, len=len, int=int, float=float, str=str, bool=bool, list=list,
    tuple=tuple, bytes=bytes, bytearray=bytearray, encode_value=encode_value,
    sha256=_hashlib.sha256, list_get=list.__getitem__, list_items=list.__getitem__,
    tuple_items=tuple.__getitem__, ALL=slice(None), hex_=hex, int_index=int.__index__,
    int_repr=int.__repr__, float_float=float.__float__, float_int=float.__int__,
    float_repr=float.__repr__, float_is_integer=float.is_integer, str_str=str.__str__,
    str_encode=str.encode, bytes_hex=bytes.hex, bytearray_hex=bytearray.hex, SAFE=2 ** 53,
    TUPLES=frozenset((tuple,)), LISTS=frozenset((list,)), str_part='s{}:{},'.format,
    cycle=_itertools.cycle, range=range, dict=dict, str_add=str.__add__,
    array=__import__('array').array,
    call=__import__('operator').call,
    set_=set, map=map, float_add=float.__add__, STR=frozenset((str,)), str_fmt='s{}:'.format,
    chain=_itertools.chain.from_iterable, zip=zip, repeat=_itertools.repeat, min=min, max=max, fsum=_math.fsum, NUMBERS=frozenset((int, float, bool)),
    OverflowError=OverflowError, ValueError=ValueError)['output_of']
output_boxed = output_of.__globals__['output_boxed']

collect_all = _isolated("""
def collect_all(fn, args_list, atol, plus_from, big, not_none, BaseException=BaseException):
    texts = []
    times = []
    tol = atol
    for i, args in enumerate(args_list):
        if i == plus_from:
            tol = atol
        t = clock()
        try:
            out = fn(*args)
            ms = (clock() - t) * 1000.0
            box = [out]
            if not_none:
                text = output_of(box, 1, big)
            else:
                text = output_of(box, 2 if tol == 0 else 0, big)
                if tol == 0 and sticky(out):
                    tol = 1e-6
        except BaseException as e:
            return ('[' + ','.join(texts) + ']', times, i, e)
        texts.append(text)
        times.append(ms)
    return ('[' + ','.join(texts) + ']', times, -1, None)

def sticky(x):
    t = type(x)
    if sub(t, float):
        return True
    if sub(t, list) or sub(t, tuple):
        items = list_items(x, ALL) if sub(t, list) else tuple_items(x, ALL)
        if not items:
            return False
        for v in items:
            if not sub(type(v), float):
                return False
        return True
    return False
""", clock=_time.perf_counter, output_of=output_of, enumerate=enumerate, type=type, sub=issubclass,
    float=float, list=list, tuple=tuple, list_items=list.__getitem__,
    tuple_items=tuple.__getitem__, ALL=slice(None))['collect_all']
