/**
 * The landscape answers every task with one of two programs, so after the first few every verdict
 * comes from the verdict cache and Python is never waited for. Here each answer carries a comment
 * naming its request (deterministic, so a resumed round gets the same answers): every program is
 * new, and graded by Python, as with a real model.
 */
export const UNIQUE_PROGRAMS = `(() => {
  const inner = globalThis.__athanorScriptedLlm;
  const tag = (s) => { let h = 2166136261; for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619); return (h >>> 0).toString(16); };
  globalThis.__athanorScriptedLlm = {
    modelId: inner.modelId,
    async complete(req, signal) {
      const c = await inner.complete(req, signal);
      if (req.purpose !== 'generate') return c;
      const id = tag(JSON.stringify([req.messages, req.sampling]));
      return { ...c, text: c.text.replace(/\\n\`\`\`\\s*$/, '\\n# request ' + id + '\\n\`\`\`') };
    },
  };
})();`;
