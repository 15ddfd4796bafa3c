/** The engines' public entry: everything the runner, the Models page and tests use. */
export * from './errors';
export * from './gpu';
export * from './progress';
export * from './request';
export * from './preflight';
export * from './catalogue';
export * from './cache';
export * from './replay';
export * from './wllama';
export * from './webllm';
export * from './threads';
export * from './embed-common';
export * from './wllama-embed';
export * from './webllm-embed';
export * from './server-embed';
