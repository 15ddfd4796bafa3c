/** The runner's public face: what the UI and the app's composition module use. */
export {
  createRunner,
  InvalidRunConfigError,
  RunBusyError,
  RunFinishedError,
  type Runner,
  type RunnerDeps,
  type RunnerEvent,
  type RunTasks,
} from './runner';
export { buildReport, IncompleteEvaluationError } from './report';
export {
  bestPromptText,
  evalplusJsonl,
  evalplusTaskId,
  humanevalJsonl,
  scoresCsv,
} from './exports';
export { BundleImportError, parseBundle, type RunBundle } from '../store/bundle';
export { clearCaches, requestPersistence, storageReport } from '../store/storage';
