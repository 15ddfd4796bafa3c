/**
 * The layer rules of DESIGN.md as ESLint `no-restricted-imports` blocks. Arrows point downward
 * only; see docs/architecture.md. The globs match any `src/<layer>/` folder so that the fixture tree in
 * test/fixtures/layers/ is held to the same rules (that is how a test proves the rule fires).
 */

const LAYERS = [
  'core',
  'datasets',
  'optimizers',
  'engines',
  'executor',
  'store',
  'runner',
  'ui',
  'workers',
];

const forbid = (layers, why) =>
  layers.map((layer) => ({
    group: [`**/${layer}`, `**/${layer}/**`, `**/${layer}.*`],
    message: `${why} (layer rules: docs/architecture.md).`,
  }));

const allowedOnly = (self, allowed) =>
  forbid(
    LAYERS.filter((l) => l !== self && !allowed.includes(l)),
    `\`${self}\` may import only ${allowed.length ? allowed.map((l) => `\`${l}\``).join(', ') : 'nothing else of the project'}`,
  );

const optimizerInternals = (layer) => ({
  group: ['**/optimizers/**', '!**/optimizers/registry', '!**/optimizers/types'],
  message: `\`${layer}\` sees optimizers only through optimizers/registry and optimizers/types (layer rules: docs/architecture.md).`,
});

const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export const layerRules = [
  { files: ['**/src/core/**/*.ts'], rules: rule(allowedOnly('core', [])) },
  { files: ['**/src/optimizers/**/*.ts'], rules: rule(allowedOnly('optimizers', ['core'])) },
  ...['engines', 'executor', 'datasets', 'store'].map((layer) => ({
    files: [`**/src/${layer}/**/*.ts`],
    rules: rule(allowedOnly(layer, ['core'])),
  })),
  {
    files: ['**/src/runner/**/*.ts'],
    rules: rule(allowedOnly('runner', ['core', 'optimizers', 'store', 'datasets'])),
  },
  {
    files: ['**/src/workers/**/*.ts'],
    rules: rule(allowedOnly('workers', ['core', 'engines', 'executor'])),
  },
  {
    // The UI talks to the runner and the store; of the optimizers it sees only what the registry
    // describes, never a method's internals.
    files: ['**/src/ui/**/*.ts', '**/src/ui/**/*.svelte'],
    rules: rule([optimizerInternals('ui')]),
  },
  {
    // The composition root builds the real ports and hands them to the runner and the pages.
    files: ['**/src/app/**/*.ts'],
    rules: rule([optimizerInternals('app'), ...forbid(['ui'], '`app` must not import `ui`')]),
  },
];
