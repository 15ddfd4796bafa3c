/** Methods part of bench:real (to come). */
export function partMethods(o: { log: (s: string) => void; [k: string]: unknown }): Promise<void> {
  o.log('methods: not built yet');
  return Promise.resolve();
}
