# Modules imported before the baseline is taken (the harness runs this first), so they are never
# re-imported per job; also run before a memory snapshot so restored workers start with them
# loaded.
for _m in ('math', 're', 'collections', 'itertools', 'functools', 'heapq', 'bisect', 'string',
           'typing', 'statistics', 'fractions', 'decimal', 'hashlib', 'datetime', 'operator',
           'copy', 'cmath', 'array', 'json', 'time', 'textwrap', 'unicodedata', 'numbers', 'enum',
           'dataclasses', 'struct', 'calendar', 'collections.abc', 'traceback', 'inspect',
           'difflib', 'pprint', 'locale', 'shutil', 'tempfile', 'random', 'ast', 'io', 'signal',
           'warnings', 'types'):
    try:
        __import__(_m)
    except Exception:
        pass
del _m
