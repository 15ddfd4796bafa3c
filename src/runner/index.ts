/** The runner's public face: what the UI and the app's composition module use. */
export {
  createRunner,
  type CreateOptions,
  InvalidRunConfigError,
  RunBusyError,
  RunFinishedError,
  type Runner,
  type RunnerDeps,
  type RunnerEvent,
  type RunTasks,
} from './runner';
export { runLockName } from './lock';
export { buildReport, DEFAULT_HELDOUT_TEMPERATURE, IncompleteEvaluationError } from './report';
export { MissingAugmentedTasksError } from './augment';
export {
  bestPromptText,
  evalplusJsonl,
  evalplusTaskId,
  humanevalJsonl,
  scoresCsv,
} from './exports';
export {
  headToHead,
  headToHeadCsv,
  headToHeadMarkdown,
  pairVerdict,
  unpairableReason,
  type HeadToHead,
} from './head-to-head';
export { BundleImportError, parseBundle, type RunBundle } from '../store/bundle';
export { clearCaches, requestPersistence, storageReport } from '../store/storage';
