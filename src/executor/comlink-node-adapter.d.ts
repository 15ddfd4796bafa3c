/** Types for Comlink's Node adapter, which ships an .mjs without a matching .d.mts. */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';

  interface NodeEndpoint {
    postMessage(message: unknown, transfer?: never[]): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's listener signature.
    on(type: string, listener: (...args: any[]) => void): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's listener signature.
    off(type: string, listener: (...args: any[]) => void): void;
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
