# The Python half of the harness, run once per interpreter, in a dict of its own that JavaScript
# holds (src/executor/engine.ts); preload.py runs just before it. Vite imports this file as text
# (`?raw`); so does Node, through scripts/raw-import.mjs.
#
# Why it is shaped this way (see docs/sandbox.md):
# - JavaScript drives every step: it calls the real builtins `exec`/`compile` and steps the
#   check generator itself, so a job's frames have no harness frame beneath them (f_back is None)
#   and the pass/fail of a step is decided by whether JavaScript saw an exception, not by any
#   Python object the job could reach.
# - The helpers below never hold a secret: the originals of what is stripped during a job
#   (sys._getframe, gc.get_objects, sys.settrace, ...) live in `_S`, a dict reachable only from
#   these functions' globals, which the job cannot reach without the stripped tools.
# - Restoration is cheap and targeted: builtins, sys.modules, sys attributes, random state,
#   cwd, watched directories always; module and class dicts only for the modules a job names
#   (or all of them when it uses reflection).
import sys
import builtins
import ast
import gc
import os
import io
import random
import signal
import warnings
import types
import operator
import decimal
import atexit
import copyreg
import weakref
import codecs
import encodings
import asyncio
import asyncio.events
import posix
import time
import json as _json_mod
import _json as _c_json

_MISSING = object()
_BLOCKED = ('js', 'pyodide_js', 'pyodide', '_pyodide', '_pyodide_core', 'micropip',
            'pyodide_http', 'ctypes', '_ctypes')
_STRIP = {
    sys: ('_getframe', '_getframemodulename', '_current_frames', '_current_exceptions', 'settrace',
          'setprofile', 'monitoring', 'addaudithook', 'remote_exec', '_clear_internal_caches',
          '_clear_type_cache', 'call_tracing', 'activate_stack_trampoline'),
    gc: ('get_objects', 'get_referrers', 'get_referents', 'freeze', 'unfreeze'),
    # In Node, Emscripten's system() runs a real shell command through child_process.
    os: ('system',),
    posix: ('system',),
}
_SYS_ATTRS = ('stdin', 'stdout', 'stderr', '__stdin__', '__stdout__', '__stderr__', 'displayhook',
              'excepthook', 'unraisablehook', 'breakpointhook', 'path', 'meta_path', 'path_hooks',
              'argv', 'ps1', 'ps2', 'dont_write_bytecode', 'float_repr_style', 'last_exc',
              'last_type', 'last_value', 'last_traceback')
# Names whose presence in a job means it may reach modules indirectly: then every module and
# class dict of the baseline is compared after the job, not only the ones it names.
_REFLECTIVE = frozenset((
    '__import__', 'importlib', 'exec', 'eval', 'compile', 'getattr', 'setattr', 'delattr',
    '__dict__', 'vars', 'globals', 'locals', '__builtins__', 'builtins', 'sys', 'modules', 'gc',
    '__subclasses__', '__class__', '__base__', '__bases__', '__mro__', '__globals__', '__code__',
    '__closure__', 'f_back', 'f_globals', 'f_locals', 'f_builtins', 'tb_frame', 'gi_frame',
    'cr_frame', 'ag_frame', '__traceback__', 'inspect', 'types', 'runpy', 'pickle', 'marshal',
    '__getattribute__', '__setattr__', '__delattr__', '__reduce__', '__reduce_ex__', 'copyreg',
    'attrgetter', 'methodcaller', '__self__', '__func__', '__wrapped__', 'codecs', 'object',
))

_BEHAVIOUR = (types.FunctionType, classmethod, staticmethod, property, types.BuiltinFunctionType,
              types.MethodType)


def _behaviour(v):
    return isinstance(v, _BEHAVIOUR)


def _kv(d):
    return (tuple(d), tuple(d.values()))


def _unchanged(d, kv, len=len, all=all, map=map, is_=operator.is_):
    # The common case in C: same keys, same values, same order. When it says no, the precise
    # (slower) comparison decides, so results are those of the precise check alone.
    keys, vals = kv
    return len(d) == len(keys) and all(map(is_, d, keys)) and all(map(is_, d.values(), vals))


def _class_dicts(mod):
    out = {}
    for v in list(vars(mod).values()):
        # Immutable (static or flagged) types cannot be patched, so they need no watching.
        if (isinstance(v, type) and getattr(v, '__module__', None) == mod.__name__
                and not v.__flags__ & (1 << 8)):
            out[v] = dict(v.__dict__)
    return out


def _isolated(src, **names):
    """Define src in a dict holding only names: functions the job's code can reach (through a
    frame beneath it or a class it can see) then lead to nothing of the harness."""
    g = dict(names)
    exec(src, g)
    return g


_CAPTURE_SRC = """
class _Capture:
    # sys.stdout/sys.stderr during a job: keeps the first cap characters, counts the rest.
    __slots__ = ('parts', 'size', 'cap', 'truncated')
    encoding = 'utf-8'
    errors = 'strict'

    def __init__(self, cap):
        self.parts = []
        self.size = 0
        self.cap = cap
        self.truncated = False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not ' + type(s).__name__)
        room = self.cap - self.size
        if room > 0:
            if len(s) > room:
                self.parts.append(s[:room])
                self.size = self.cap
                self.truncated = True
            else:
                self.parts.append(s)
                self.size += len(s)
        elif s:
            self.truncated = True
        return len(s)

    def writelines(self, lines):
        for s in lines:
            self.write(s)

    def flush(self):
        pass

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def text(self):
        return ''.join(self.parts)


"""
_Capture = _isolated(_CAPTURE_SRC)['_Capture']
_CAPTURE_METHODS = dict(_Capture.__dict__)

_S = {}

# Pyodide's time.sleep blocks without looking at the interrupt buffer, so a long sleep could only
# be stopped by terminating the worker: sleep in slices, between which the interrupt lands.
time.sleep = _isolated('''
def sleep(secs):
    if not secs > 0:
        return orig(secs)
    end = monotonic() + secs
    while True:
        left = end - monotonic()
        if left <= 0:
            return None
        orig(left if left < 0.01 else 0.01)
''', orig=time.sleep, monotonic=time.monotonic)['sleep']
# Keys of sys / gc that begin() and finish() manage; the module-dict check leaves them alone.
_OWN_KEYS = {
    'sys': frozenset(_STRIP[sys]) | frozenset(_SYS_ATTRS) | {'modules', 'path_importer_cache'},
    'gc': frozenset(_STRIP[gc]),
    'os': frozenset(_STRIP[os]),
    'posix': frozenset(_STRIP[posix]),
}


def _snapshot():
    # Every worker starts from the same random state, so a job's result never depends on which
    # worker ran it (a fresh CPython would seed from the OS; we prefer reproducible runs).
    random.seed(0)
    # A worker started from the memory snapshot gets '' put in front of sys.path once more.
    sys.path[:] = list(dict.fromkeys(sys.path))
    codecs.lookup('latin-1')  # imports encodings.latin_1 before the module baseline is taken
    _S['modules'] = dict(sys.modules)
    _S['builtins'] = dict(builtins.__dict__)
    _S['builtins_kv'] = _kv(_S['builtins'])
    _S['sys'] = {k: getattr(sys, k, _MISSING) for k in _SYS_ATTRS}
    _S['sys_lists'] = {k: list(getattr(sys, k)) for k in ('path', 'meta_path', 'path_hooks', 'argv')}
    _S['importer_cache'] = dict(sys.path_importer_cache)
    _S['strip'] = {m: {k: getattr(m, k) for k in names if hasattr(m, k)} for m, names in _STRIP.items()}
    _S['recursion'] = sys.getrecursionlimit()
    _S['int_digits'] = sys.get_int_max_str_digits()
    _S['switch'] = sys.getswitchinterval()
    _S['random'] = random.getstate()
    _S['environ'] = dict(os.environ._data)
    _S['cwd'] = os.getcwd()
    _S['warnings'] = list(warnings.filters)
    _S['decimal'] = decimal.getcontext().copy()
    _S['signals'] = {}
    for s in signal.valid_signals():
        try:
            _S['signals'][s] = signal.getsignal(s)
        except (ValueError, OSError):
            pass
    _S['umask'] = os.umask(0o22)
    os.umask(_S['umask'])
    _S['asyncgen'] = sys.get_asyncgen_hooks()
    _S['coro_depth'] = sys.get_coroutine_origin_tracking_depth()
    _S['gc_callbacks'] = list(gc.callbacks)
    _S['gc_threshold'] = gc.get_threshold()
    _S['gc_debug'] = gc.get_debug()
    _S['atexit'] = atexit._ncallbacks()
    _S['policy'] = asyncio.events._event_loop_policy
    _S['loop'] = asyncio.get_event_loop()
    _S['running_loop'] = asyncio.events._get_running_loop()
    _S['loop_running'] = _S['loop'].is_running()
    # Tables that live in the interpreter, not in a module dict, so that the module-dict check
    # cannot see them: codecs' search path, lookup cache and error handlers, found once here by
    # their contents (gc tools are stripped while jobs run); copyreg's tables; weakref.finalize's
    # registry (a job's finalizers must not outlive it). Restored in place after every job.
    # Marked first, so that copies (a second harness in the same interpreter keeps the first's
    # snapshots alive) cannot be mistaken for the real tables.
    mark = 'athanor_mark_%d' % id(_S)
    info = codecs.lookup('utf-8')

    def marker(name, mark=mark, info=info):
        return info if name == mark else None

    codecs.register(marker)
    codecs.register_error(mark, codecs.strict_errors)
    codecs.lookup(mark)
    gc.unfreeze()  # frozen objects are invisible to get_objects
    objs = gc.get_objects()
    search_paths = [o for o in objs if type(o) is list and marker in o]
    err_tables = [o for o in objs if type(o) is dict and mark in o and 'strict' in o]
    caches = [o for o in objs if type(o) is dict and o is not encodings._cache
              and isinstance(o.get(mark), codecs.CodecInfo)]
    del objs
    codecs.unregister(marker)
    if len(search_paths) != 1 or len(err_tables) != 1 or len(caches) != 1:
        raise RuntimeError('codec registry not found (%d, %d, %d)'
                           % (len(search_paths), len(err_tables), len(caches)))
    _S['lists'] = [(search_paths[0], list(search_paths[0]))]
    _S['tables'] = [(d, dict(d)) for d in (
        err_tables[0], caches[0], encodings._cache, copyreg.dispatch_table,
        copyreg._extension_registry, copyreg._inverted_registry, copyreg._extension_cache,
        weakref.finalize._registry)]
    _S['tables_kv'] = [_kv(d) for _, d in _S['tables']]
    _S['moddicts'] = {}
    _S['classdicts'] = {}
    for name, mod in _S['modules'].items():
        if isinstance(mod, types.ModuleType) and not name.startswith(_BLOCKED):
            _S['moddicts'][name] = dict(vars(mod))
            _S['classdicts'][name] = _class_dicts(mod)
    # Short names (last dotted part) of baseline modules, for the names a job mentions.
    short = {}
    for name in _S['moddicts']:
        short.setdefault(name.rpartition('.')[2], []).append(name)
    _S['short'] = short
    _S['moddicts_kv'] = {n: _kv(d) for n, d in _S['moddicts'].items()}
    _S['classdicts_kv'] = {n: {c: _kv(cd) for c, cd in cds.items()}
                           for n, cds in _S['classdicts'].items()}
    _S['gc'] = gc.isenabled()
    # Everything alive now is baseline: the collection after each job then only walks what the
    # job (and the harness since) allocated, which makes a full collection cost microseconds.
    gc.collect()
    gc.freeze()


_Blocker = _isolated("""
class _Blocker:
    # A meta-path finder that refuses the modules that lead to JavaScript.

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split('.', 1)[0] in _BLOCKED:
            raise ModuleNotFoundError('No module named %r (blocked in the Athanor sandbox)' % name, name=name)
        return None

    @staticmethod
    def invalidate_caches():
        pass


""", _BLOCKED=_BLOCKED)['_Blocker']

# Called by JS with the job's code: the job's frames see this frame beneath them, whose globals
# hold nothing and whose locals are bound before the job runs. Returns None or the exception.
run_code = _isolated("""
def run_code(code, ns, exec=exec, BaseException=BaseException):
    try:
        exec(code, ns)
    except BaseException as e:
        return e
    return None
""")['run_code']

# On success the value comes back boxed in a list: a str (or int, float) crossing to JavaScript
# would be converted at once, which for a 100 MB string takes seconds no interrupt can stop.
call_fn = _isolated("""
def call_fn(fn, args, BaseException=BaseException):
    try:
        out = fn(*args)
    except BaseException as e:
        return (False, e)
    return (True, [out])
""")['call_fn']

# Return values of io jobs as one JSON string in the lossless encoding of docs/sandbox.md. Only
# builtin types convert (read through their C slots, so a subclass's __eq__/__iter__ is ignored);
# anything else raises TypeError, which fails the test. Builtins are bound at definition time.
encode_value = _isolated("""
def encode_boxed(box):
    # The value call_fn returned in its box (a list only the harness made): (True, json) or
    # (False, the TypeError / ValueError that says why it is not plain data).
    try:
        return (True, encode_value(box[0]))
    except (TypeError, ValueError) as e:
        return (False, e)

def encode_value(x):
    out = []
    _enc(x, out, 0)
    return ''.join(out)

def _enc(x, out, depth):
    # Only type(x) and issubclass on real types, and C slot functions: no Python code of the
    # value (a property, __class__, __iter__, __eq__) runs while it is encoded.
    if depth > 100:
        raise ValueError('the value is nested more than 100 levels deep')
    t = type(x)
    if x is None:
        out.append('null')
    elif t is bool:
        out.append('true' if x else 'false')
    elif sub(t, int) and not sub(t, bool):
        x = int_index(x)
        if -SAFE <= x <= SAFE:
            out.append(int_repr(x))
        elif int_bits(x) <= 8000:
            out.append('{"$int":"' + int_repr(x) + '"}')
        else:
            # Hex beyond ~2,400 digits: linear time and not subject to int_max_str_digits.
            out.append('{"$int":"' + hex_(x) + '"}')
    elif sub(t, float):
        out.append(_float(float_float(x)))
    elif sub(t, str):
        out.append(esc(_big(str_str(x), MAX_CHARS)))
    elif sub(t, list):
        _seq(list_items(x, ALL), out, depth, '[', ']')
    elif sub(t, tuple):
        _seq(tuple_items(x, ALL), out, depth, '{"$tuple":[', ']}')
    elif sub(t, set) or sub(t, frozenset):
        parts = []
        for v in (set_iter(x) if sub(t, set) else frozenset_iter(x)):
            _big(parts, MAX_ITEMS - 1)
            p = []
            _enc(v, p, depth + 1)
            parts.append(''.join(p))
        parts.sort()
        out.append(('{"$set":[' if sub(t, set) else '{"$frozenset":[') + ','.join(parts) + ']}')
    elif sub(t, dict):
        items = _big(list(dict_items(x)), MAX_ITEMS)
        if all(type(k) is str and not k.startswith('$') for k, _ in items):
            out.append('{')
            for i, (k, v) in enumerate(items):
                if i:
                    out.append(',')
                out.append(esc(k))
                out.append(':')
                _enc(v, out, depth + 1)
            out.append('}')
        else:
            out.append('{"$dict":[')
            for i, (k, v) in enumerate(items):
                out.append(',[' if i else '[')
                _enc(k, out, depth + 1)
                out.append(',')
                _enc(v, out, depth + 1)
                out.append(']')
            out.append(']}')
    elif sub(t, complex):
        out.append('{"$complex":[' + _float(complex_real(x)) + ',' + _float(complex_imag(x)) + ']}')
    elif sub(t, bytes):
        out.append('{"$bytes":"' + _big(bytes_hex(x), MAX_CHARS) + '"}')
    elif sub(t, bytearray):
        out.append('{"$bytes":"' + _big(bytearray_hex(x), MAX_CHARS) + '"}')
    else:
        raise TypeError('a value of type %s is not plain data' % TYPE_NAME.__get__(t))

def _float(x):
    if x != x:
        return '{"$float":"nan"}'
    if x == INF or x == -INF:
        return '{"$float":"inf"}' if x > 0 else '{"$float":"-inf"}'
    s = float_repr(x)
    return '{"$float":' + s + '}' if float_is_integer(x) else s

def _big(v, limit):
    # A huge value is not an answer to compare: fail it at once instead of encoding it for
    # seconds. v is always a real builtin here (read through C slots), so len() runs no job code.
    if len(v) > limit:
        raise ValueError('the value is too large to compare (%d items or characters)' % len(v))
    return v

def _seq(items, out, depth, open_, close):
    _big(items, MAX_ITEMS)
    out.append(open_)
    if len(items) > 8 and set_(map(type, items)) <= NUMBERS:
        # Plain ints and floats, finite and within 2^53: the same text as below, built in C
        # (HumanEval/130's expected outputs hold millions of numbers). A float that is integral is
        # marked as one, as _float does.
        try:
            s = fsum(items)
            ok = s - s == 0.0 and -SAFE <= min(items) and max(items) <= SAFE
        except (OverflowError, ValueError):
            ok = False
        if ok:
            texts = list(map(repr_, items))
            marked = map(float_mark, texts)
            integral = map(and_, map(is_, map(type, items), repeat(float)),
                           map(call_is_integer, items))
            out.append(','.join(map(getitem, zip(texts, marked), integral)))
            out.append(close)
            return
    for i, v in enumerate(items):
        if i:
            out.append(',')
        _enc(v, out, depth + 1)
    out.append(close)
""", type=type, sub=issubclass, int=int, float=float, str=str, bool=bool, list=list,
    tuple=tuple, set=set, frozenset=frozenset, dict=dict, complex=complex, bytes=bytes,
    len=len, MAX_CHARS=10 ** 7, MAX_ITEMS=10 ** 6,
    bytearray=bytearray, enumerate=enumerate, all=all, ValueError=ValueError, TypeError=TypeError,
    SAFE=2 ** 53 - 1, INF=float('inf'), ALL=slice(None), int_index=int.__index__,
    int_bits=int.bit_length, hex_=hex,
    int_repr=int.__repr__, float_float=float.__float__, float_repr=float.__repr__,
    float_is_integer=float.is_integer, str_str=str.__str__, esc=_c_json.encode_basestring_ascii,
    list_items=list.__getitem__, tuple_items=tuple.__getitem__, set_iter=set.__iter__,
    frozenset_iter=frozenset.__iter__, dict_items=dict.items,
    complex_real=complex.real.__get__, complex_imag=complex.imag.__get__, bytes_hex=bytes.hex,
    bytearray_hex=bytearray.hex, TYPE_NAME=type.__dict__['__name__'],
    set_=set, NUMBERS=frozenset((int, float)), fsum=__import__('math').fsum, min=min, max=max,
    map=map, zip=zip, repeat=__import__('itertools').repeat, repr_=repr,
    float_mark='{{"$float":{}}}'.format, and_=__import__('operator').and_,
    is_=__import__('operator').is_, getitem=__import__('operator').getitem,
    call_is_integer=__import__('operator').methodcaller('is_integer'),
    OverflowError=OverflowError)
encode_boxed = encode_value['encode_boxed']
encode_value = encode_value['encode_value']


def _decode_hook(d):
    if len(d) == 1:
        ((k, v),) = d.items()
        if k == '$int':
            return int(v, 0)
        if k == '$float':
            return float(v)
        if k == '$tuple':
            return tuple(v)
        if k == '$set':
            return set(v)
        if k == '$frozenset':
            return frozenset(v)
        if k == '$dict':
            return {pk: pv for pk, pv in v}
        if k == '$complex':
            return complex(v[0], v[1])
        if k == '$bytes':
            return bytes.fromhex(v)
    return d


# Trusted: arguments are decoded before the job's code runs, by the C scanner, which captured
# its hook at creation: a patched json module (restored after each job anyway) takes no part.
decode_args = _isolated('''
def decode_args(text):
    return scan(text, 0)[0]
''', scan=_c_json.make_scanner(_json_mod.JSONDecoder(object_hook=_decode_hook)))['decode_args']


compile_code = _isolated("""
def compile_code(src, filename, compile=compile, BaseException=BaseException):
    try:
        return (True, compile(src, filename, 'exec', 0, True))
    except BaseException as e:
        return (False, e)
""")['compile_code']

# CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR: a generator function can run code (a finally
# block) when it is collected. Generator expressions cannot, so they do not count.
_GEN_FLAGS = 0x20 | 0x80 | 0x200


def _code_names(code, acc):
    acc.update(code.co_names)
    acc.update(code.co_varnames)
    if code.co_flags & _GEN_FLAGS and code.co_name != '<genexpr>':
        acc.add('<generator>')
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            _code_names(c, acc)
    return acc


def begin(cap, stdin_text):
    """Strip the ways out, install capture. Called by JS before the job's code runs."""
    gc.disable()
    _S['job'] = job = {'names': set(), 'stripped': {}, 'blocked': {}}
    for m, attrs in _S['strip'].items():
        for k in attrs:
            try:
                delattr(m, k)
            except AttributeError:
                pass
    mods = sys.modules
    bk = _S.get('begin_keys')
    if bk is not None and len(mods) == len(bk[0]) and all(map(operator.is_, mods, bk[0])):
        names = bk[1]
    else:
        names = [name for name in list(mods) if name.split('.', 1)[0] in _BLOCKED]
    for name in names:
        job['blocked'][name] = mods.pop(name)
    # Pyodide's own finders serve 'js' and 'pyodide_js' from memory: out of the path while a job runs.
    sys.meta_path[:] = [_Blocker] + [f for f in sys.meta_path
                                     if not str(getattr(type(f), '__module__', '')).startswith('_pyodide')
                                     and not str(getattr(f, '__module__', '')).startswith('_pyodide')]
    out, err = _Capture(cap), _Capture(cap)
    job['out'], job['err'] = out, err
    sys.stdout = sys.__stdout__ = out
    sys.stderr = sys.__stderr__ = err
    sys.stdin = sys.__stdin__ = io.StringIO(stdin_text)
    return None


def note_code(code):
    """Remember the names a job's code mentions, to know which modules it may have touched."""
    _code_names(code, _S['job']['names'])


# What a job needs in order to leave code that runs when garbage is collected: a class (its body
# stores __qualname__; type() makes one too) with __del__, a weakref callback or finalizer, a gc
# callback, a generator function's finally block; or reflection, which could reach any of them.
_FINALIZING = _REFLECTIVE | frozenset((
    '__del__', 'weakref', '_weakref', 'finalize', 'callbacks', '__qualname__', 'type',
    '__build_class__', '<generator>'))


def may_finalize():
    """Whether the cleanup must run a full collection: only then can the job's cyclic garbage
    hold code of its own that a later collection (in a later job) would run."""
    job = _S['job']
    return job is not None and not job['names'].isdisjoint(_FINALIZING)


def new_stdin(stdin_text):
    out = _S['job']['out']
    out.parts = []
    out.size = 0
    out.truncated = False
    sys.stdout = sys.__stdout__ = out
    sys.stdin = sys.__stdin__ = io.StringIO(stdin_text)


def case_output():
    out = _S['job']['out']
    return out.text()


def fresh_namespace(main):
    ns = {'__builtins__': builtins}
    if main:
        ns['__name__'] = '__main__'
    return ns


def make_check(src):
    """HumanEval's check(candidate) as a generator: each top-level statement runs in order, in the
    same function scope as the official harness, and yields None (ok) or the exception it raised,
    then the next statement runs (for per-assert credit). Up to the first failure this is exactly
    the official run, so 'all yielded None' is the official verdict."""
    tree = ast.parse(src, '<test>')
    lines = src.splitlines()
    fn = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == 'check':
            fn = node
    if fn is None:
        raise ValueError('test source defines no check(candidate) function')
    names = []
    is_test = []
    body = []
    be = '_athanor_BaseException'
    for st in fn.body:
        seg = ' '.join(line.strip() for line in lines[st.lineno - 1:st.end_lineno])
        names.append(seg[:200])
        is_test.append(any(isinstance(n, ast.Assert) for n in ast.walk(st)))
        handler = ast.ExceptHandler(type=ast.Name(be, ast.Load()), name='_athanor_x',
                                    body=[ast.Expr(ast.Yield(ast.Name('_athanor_x', ast.Load())))])
        body.append(ast.Try(body=[st], handlers=[handler],
                            orelse=[ast.Expr(ast.Yield(ast.Constant(None)))], finalbody=[]))
    fn.body = body
    fn.args.args.append(ast.arg(be))
    ast.fix_missing_locations(tree)
    return compile(tree, '<test>', 'exec', dont_inherit=True), names, is_test


describe = _isolated("""
def describe(exc, type=type, str=str, isinstance=isinstance, SyntaxError=SyntaxError, BaseException=BaseException):
    # (type name, "Type: message", line in <program> or 0). Never raises.
    try:
        tname = type(exc).__name__
    except BaseException:
        tname = 'Exception'
    try:
        msg = str(exc)
    except BaseException:
        msg = '<unprintable>'
    line = 0
    try:
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == '<program>':
                line = tb.tb_lineno
            tb = tb.tb_next
    except BaseException:
        pass
    if isinstance(exc, SyntaxError) and exc.filename == '<program>' and exc.lineno:
        line = exc.lineno
    return [tname, (tname + ': ' + msg) if msg else tname, line]


""")['describe']


def collect():
    """Undo what a job changed that holds its objects; return them so that JS drops them (their
    finalizers then run with no harness frame beneath them)."""
    gc.disable()
    trash = []
    job = _S['job']
    # First, so that the collections the cleanup runs call none of the job's callbacks.
    if gc.callbacks != _S['gc_callbacks']:
        trash.append(list(gc.callbacks))
        gc.callbacks[:] = _S['gc_callbacks']
    bd = builtins.__dict__
    b0 = _S['builtins']
    if not _unchanged(bd, _S['builtins_kv']) and (
            len(bd) != len(b0) or any(bd.get(k, _MISSING) is not v for k, v in b0.items())):
        trash.append(dict(bd))
        bd.clear()
        bd.update(b0)
    mods = sys.modules
    m0 = _S['modules']
    blocked = job['blocked']
    # Fast path: sys.modules is exactly what the last full pass below left (the baseline minus
    # the blocked modules), entry for entry. Otherwise the full pass restores and re-records it.
    ref = _S.get('modules_ref')
    if ref is None or ref[2] != blocked.keys() or not _unchanged(mods, ref[:2]):
        for name in list(mods):
            if name not in m0 or name in blocked:
                trash.append(mods.pop(name))
        for name, mod in m0.items():
            if name in blocked:
                continue
            if mods.get(name, _MISSING) is not mod:
                trash.append(mods.get(name))
                mods[name] = mod
        _S['modules_ref'] = _kv(mods) + (frozenset(blocked),)
    # What begin() will find if nothing imports between now and then (finish() puts the blocked
    # modules back at the end, in this order); a finalizer that does import is caught there.
    _S['begin_keys'] = (_S['modules_ref'][0] + tuple(blocked), tuple(blocked))
    for k, v in _S['sys'].items():
        cur = getattr(sys, k, _MISSING)
        if cur is not v:
            trash.append(cur)
            if v is _MISSING:
                delattr(sys, k)
            else:
                setattr(sys, k, v)
    for k, v in _S['sys_lists'].items():
        if k == 'meta_path':
            # Put back in finish(): while JS drops the trash, the job's finalizers run and must
            # still meet the blocking finder, not Pyodide's own (which serve js, pyodide_js).
            continue
        lst = getattr(sys, k)
        if lst != v:
            trash.append(list(lst))
            lst[:] = v
    pic = sys.path_importer_cache
    if len(pic) != len(_S['importer_cache']) or any(pic.get(k, _MISSING) is not v for k, v in _S['importer_cache'].items()):
        trash.append(dict(pic))
        pic.clear()
        pic.update(_S['importer_cache'])
    # Module and class dicts: the ones the job names, or all of them after reflection.
    names = job['names']
    reflective = bool(names & _REFLECTIVE)
    if reflective:
        check = list(_S['moddicts'])
    else:
        check = []
        short = _S['short']
        for n in names:
            check.extend(short.get(n, ()))
    restored = []
    for name in check:
        mod = m0[name]
        d = vars(mod)
        snap = _S['moddicts'][name]
        own = _OWN_KEYS.get(name)
        if own is None:
            if _unchanged(d, _S['moddicts_kv'][name]):
                pass
            elif len(d) != len(snap) or any(d.get(k, _MISSING) is not v for k, v in snap.items()):
                trash.append(dict(d))
                d.clear()
                d.update(snap)
                restored.append(name)
        else:
            # sys and gc: never cleared (the interpreter uses them); keys the harness manages
            # itself (stripped tools, std streams, hooks) are left to finish().
            extra = [k for k in d if k not in snap and k not in own]
            changed = [k for k, v in snap.items() if k not in own and d.get(k, _MISSING) is not v]
            if extra or changed:
                trash.append(dict(d))
                for k in extra:
                    del d[k]
                for k in changed:
                    d[k] = snap[k]
                restored.append(name)
        ckvs = _S['classdicts_kv'][name]
        for cls, csnap in _S['classdicts'][name].items():
            # Without reflection a class can only be patched through a name the job mentions.
            if not reflective and cls.__name__ not in names:
                continue
            # Only behaviour counts: classes keep lazy caches (typing, abc) that change legitimately.
            cd = cls.__dict__
            if _unchanged(cd, ckvs[cls]):
                continue
            if len(cd) == len(csnap) and all(cd.get(k, _MISSING) is v for k, v in csnap.items()):
                continue
            changed = [k for k, v in cd.items() if _behaviour(v) and csnap.get(k, _MISSING) is not v]
            changed += [k for k, v in csnap.items() if _behaviour(v) and cd.get(k, _MISSING) is not v]
            if not changed:
                continue
            trash.append(dict(cd))
            try:
                for k in changed:
                    if k in csnap:
                        setattr(cls, k, csnap[k])
                    else:
                        delattr(cls, k)
            except (AttributeError, TypeError):
                job['dirty'] = 'class %s.%s could not be restored' % (name, cls.__name__)
            restored.append(name + '.' + cls.__name__)
    job['restored'] = job.get('restored', []) + restored
    return trash


def finish():
    """Restore interpreter state; report captured output and whether the worker must be replaced."""
    gc.disable()
    job = _S['job']
    sys.meta_path[:] = _S['sys_lists']['meta_path']
    for name, mod in job['blocked'].items():
        sys.modules[name] = mod
    for m, attrs in _S['strip'].items():
        for k, v in attrs.items():
            setattr(m, k, v)
    if sys.getrecursionlimit() != _S['recursion']:
        sys.setrecursionlimit(_S['recursion'])
    if sys.get_int_max_str_digits() != _S['int_digits']:
        sys.set_int_max_str_digits(_S['int_digits'])
    if sys.getswitchinterval() != _S['switch']:
        sys.setswitchinterval(_S['switch'])
    random.setstate(_S['random'])
    if os.environ._data != _S['environ']:
        for k in list(os.environ._data):
            if k not in _S['environ']:
                os.unsetenv(k)
        os.environ._data.clear()
        os.environ._data.update(_S['environ'])
        for k, v in _S['environ'].items():
            os.putenv(k, v)
    try:
        if os.getcwd() != _S['cwd']:
            os.chdir(_S['cwd'])
    except OSError:
        os.chdir(_S['cwd'])
    if warnings.filters != _S['warnings']:
        warnings.filters[:] = _S['warnings']
        warnings._filters_mutated()
    decimal.setcontext(_S['decimal'].copy())
    for s, h in _S['signals'].items():
        if signal.getsignal(s) is not h:
            try:
                signal.signal(s, h)
            except (ValueError, OSError, TypeError):
                job['dirty'] = 'signal handler %s could not be restored' % s
    os.umask(_S['umask'])
    if sys.get_asyncgen_hooks() != _S['asyncgen']:
        sys.set_asyncgen_hooks(*_S['asyncgen'])
    if sys.get_coroutine_origin_tracking_depth() != _S['coro_depth']:
        sys.set_coroutine_origin_tracking_depth(_S['coro_depth'])
    if gc.get_threshold() != _S['gc_threshold']:
        gc.set_threshold(*_S['gc_threshold'])
    if gc.get_debug() != _S['gc_debug']:
        gc.set_debug(_S['gc_debug'])
    if gc.garbage:
        gc.garbage.clear()
    if atexit._ncallbacks() != _S['atexit']:
        # Registrations cannot be removed one by one without the function; Pyodide has its own.
        job['dirty'] = 'atexit registration'
    for lst, snap in _S['lists']:
        if lst != snap:
            lst[:] = snap
    for (d, snap), kv in zip(_S['tables'], _S['tables_kv']):
        if not _unchanged(d, kv):
            d.clear()
            d.update(snap)
    if asyncio.events._event_loop_policy is not _S['policy']:
        asyncio.events._event_loop_policy = _S['policy']
    if asyncio.events._get_running_loop() is not _S['running_loop']:
        asyncio.events._set_running_loop(_S['running_loop'])
    loop = _S['loop']
    if loop.is_closed() or loop.is_running() != _S['loop_running']:
        job['dirty'] = 'the asyncio event loop was closed or started'
    # Pyodide's WebLoopPolicy keeps its one loop in _default_loop (set_event_loop writes it).
    if getattr(_S['policy'], '_default_loop', loop) is not loop:
        _S['policy']._default_loop = loop
    if any(_Capture.__dict__.get(k, _MISSING) is not v for k, v in _CAPTURE_METHODS.items()):
        job['dirty'] = 'capture class modified'
    if gc.isenabled() != _S['gc']:
        pass
    out, err = job['out'], job['err']
    _S['job'] = None
    return [out.text(), out.truncated, err.text(), err.truncated, job.get('dirty', ''),
            ','.join(job.get('restored', ()))]


def _guarded():
    # Every harness function a job could conceivably reach: JS checks after each job that their
    # code, defaults and keyword defaults are still the originals (identity, in C).
    fns = [run_code, call_fn, compile_code, describe, encode_value, encode_boxed, decode_args,
           begin, note_code, may_finalize,
           new_stdin, case_output, fresh_namespace, make_check, collect, finish,
           _Blocker.__dict__['find_spec'].__func__, _Blocker.__dict__['invalidate_caches'].__func__]
    g = encode_value.__globals__
    fns += [g['_enc'], g['_float'], g['_seq'], g['_big']]
    fns += [v for v in _CAPTURE_METHODS.values() if isinstance(v, types.FunctionType)]
    fns.append(time.sleep)
    # The io half (io_values.py) runs in the same globals after this module.
    for name in ('call_io', 'output_of', 'output_boxed', 'collect_all'):
        f = globals().get(name)
        if f is not None:
            fns.append(f)
            fns += [v for v in f.__globals__.values() if isinstance(v, types.FunctionType)]
    return tuple(fns)


_snapshot()
