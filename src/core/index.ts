export * from './types';
export * from './ports';
export * from './rng';
export * from './hash';
export * from './prompting';
export * from './stats';
