/**
 * The WebLLM worker: web-llm's own handler runs the model off the page's thread. One extra
 * message, `athanor:probe`, reports this worker's WebGPU adapter (the one web-llm will use)
 * before the engine attaches.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import { probeWebGpu } from '../engines/gpu';

const handler = new WebWorkerMLCEngineHandler();

self.onmessage = (event: MessageEvent<unknown>) => {
  const data = event.data as { kind?: string } | null;
  if (data?.kind === 'athanor:probe') {
    void probeWebGpu().then((report) => self.postMessage({ kind: 'athanor:probe', report }));
    return;
  }
  handler.onmessage(event);
};
