/** The Tasks page's service: the app's database and the page's shared Pyodide pool. */
import { db } from '../store/db';
import { appExec } from './context';
import { TasksService } from './tasks';

let service: TasksService | undefined;

export function tasksService(): TasksService {
  service ??= new TasksService(db(), appExec);
  return service;
}
