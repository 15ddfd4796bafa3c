/**
 * Response shapes of the model servers Athanor talks to, as their documentation and source show
 * them (field names, where usage sits, finish_reason values, error bodies), trimmed to what
 * matters. Each entry is replayed by a fake fetch in test/unit/engines-openai.test.ts.
 *
 * Sources: Ollama docs/openai.md (OpenAI compatibility); llama.cpp tools/server README
 * (`/v1/chat/completions`, `/v1/models`, error format); LM Studio docs (OpenAI compatibility
 * endpoints); vLLM docs (OpenAI-Compatible Server) and vllm/entrypoints/openai/protocol.py
 * (ErrorResponse, stream_options); SGLang docs (OpenAI APIs) and its protocol.py.
 */
export interface ServerFixture {
  name: string;
  /** `/v1/models` */
  models: unknown;
  /** Expected kind from detectServerKind. */
  kind: string;
  /** Unstreamed answer. */
  completion: unknown;
  /** Streamed answer: each `data:` payload, in order (the client adds [DONE] handling). */
  chunks: unknown[];
  /** Whether the stream reports usage (else the client estimates it). */
  streamUsage: boolean;
  /** Expected text and finish reason of both answers. */
  text: string;
  finish: 'stop' | 'length';
  usage: { promptTokens: number; completionTokens: number };
  /** An error answer: status, body, and the message the client must surface. */
  error: { status: number; body: string; message: string };
}

const TEXT = 'def add(a, b):\n    return a + b';
const PIECES = ['def add', '(a, b):\n', '    return', ' a + b'];

export const FIXTURES: ServerFixture[] = [
  {
    name: 'Ollama',
    kind: 'ollama',
    models: {
      object: 'list',
      data: [{ id: 'qwen2.5-coder:7b', object: 'model', created: 1731000000, owned_by: 'library' }],
    },
    completion: {
      id: 'chatcmpl-626',
      object: 'chat.completion',
      created: 1721418372,
      model: 'qwen2.5-coder:7b',
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 31, completion_tokens: 12, total_tokens: 43 },
    },
    chunks: [
      ...PIECES.map((content) => ({
        id: 'chatcmpl-35',
        object: 'chat.completion.chunk',
        created: 1721418514,
        model: 'qwen2.5-coder:7b',
        system_fingerprint: 'fp_ollama',
        choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }],
      })),
      {
        id: 'chatcmpl-35',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop' }],
      },
      {
        id: 'chatcmpl-35',
        object: 'chat.completion.chunk',
        choices: [],
        usage: { prompt_tokens: 31, completion_tokens: 12, total_tokens: 43 },
      },
    ],
    streamUsage: true,
    text: TEXT,
    finish: 'stop',
    usage: { promptTokens: 31, completionTokens: 12 },
    error: {
      status: 404,
      body: '{"error":{"message":"model \\"qwen2.5-coder:7b\\" not found, try pulling it first","type":"api_error","param":null,"code":null}}',
      message: 'model "qwen2.5-coder:7b" not found, try pulling it first',
    },
  },
  {
    name: 'llama-server',
    kind: 'llama-server',
    models: {
      models: [{ name: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf', model: 'qwen2.5-coder-7b' }],
      object: 'list',
      data: [
        {
          id: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf',
          object: 'model',
          created: 1731000000,
          owned_by: 'llamacpp',
          meta: { vocab_type: 2, n_vocab: 152064, n_ctx_train: 32768, n_params: 7615616512 },
        },
      ],
    },
    completion: {
      choices: [
        { finish_reason: 'length', index: 0, message: { role: 'assistant', content: TEXT } },
      ],
      created: 1731000001,
      model: 'gpt-3.5-turbo',
      system_fingerprint: 'b4500-adc5dd92',
      object: 'chat.completion',
      usage: { completion_tokens: 12, prompt_tokens: 40, total_tokens: 52 },
      id: 'chatcmpl-abc',
      timings: { prompt_n: 40, prompt_ms: 35.2, predicted_n: 12, predicted_ms: 110.4 },
    },
    chunks: [
      ...PIECES.map((content) => ({
        choices: [{ finish_reason: null, index: 0, delta: { content } }],
        created: 1731000001,
        id: 'chatcmpl-abc',
        model: 'gpt-3.5-turbo',
        system_fingerprint: 'b4500-adc5dd92',
        object: 'chat.completion.chunk',
      })),
      // llama-server puts usage and timings on the chunk that finishes.
      {
        choices: [{ finish_reason: 'length', index: 0, delta: {} }],
        created: 1731000001,
        id: 'chatcmpl-abc',
        model: 'gpt-3.5-turbo',
        object: 'chat.completion.chunk',
        usage: { completion_tokens: 12, prompt_tokens: 40, total_tokens: 52 },
        timings: { prompt_n: 40, predicted_n: 12 },
      },
    ],
    streamUsage: true,
    text: TEXT,
    finish: 'length',
    usage: { promptTokens: 40, completionTokens: 12 },
    error: {
      status: 400,
      body: '{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}',
      message: 'the request exceeds the available context size, try increasing it',
    },
  },
  {
    name: 'LM Studio',
    kind: 'lm-studio',
    models: {
      data: [
        { id: 'qwen2.5-coder-7b-instruct', object: 'model', owned_by: 'organization_owner' },
        {
          id: 'text-embedding-nomic-embed-text-v1.5',
          object: 'model',
          owned_by: 'organization_owner',
        },
      ],
      object: 'list',
    },
    completion: {
      id: 'chatcmpl-9ax',
      object: 'chat.completion',
      created: 1731000002,
      model: 'qwen2.5-coder-7b-instruct',
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: 'stop',
          message: { role: 'assistant', content: TEXT },
        },
      ],
      usage: { prompt_tokens: 28, completion_tokens: 12, total_tokens: 40 },
      stats: {},
      system_fingerprint: 'qwen2.5-coder-7b-instruct',
    },
    // A stream that carries no usage at all: the client counts deltas and estimates the prompt.
    chunks: [
      ...PIECES.map((content) => ({
        id: 'chatcmpl-9ax',
        object: 'chat.completion.chunk',
        created: 1731000002,
        model: 'qwen2.5-coder-7b-instruct',
        system_fingerprint: 'qwen2.5-coder-7b-instruct',
        choices: [
          { index: 0, delta: { role: 'assistant', content }, logprobs: null, finish_reason: null },
        ],
      })),
      {
        id: 'chatcmpl-9ax',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
      },
    ],
    streamUsage: false,
    text: TEXT,
    finish: 'stop',
    usage: { promptTokens: 28, completionTokens: 12 },
    error: {
      status: 400,
      body: '{"error":"Model \\"qwen-9b\\" is not loaded. Load it in LM Studio first."}',
      message: 'Model "qwen-9b" is not loaded. Load it in LM Studio first.',
    },
  },
  {
    name: 'vLLM',
    kind: 'vllm',
    models: {
      object: 'list',
      data: [
        {
          id: 'Qwen/Qwen2.5-Coder-7B-Instruct',
          object: 'model',
          created: 1731000003,
          owned_by: 'vllm',
          root: 'Qwen/Qwen2.5-Coder-7B-Instruct',
          parent: null,
          max_model_len: 32768,
          permission: [{ id: 'modelperm-1', object: 'model_permission', allow_sampling: true }],
        },
      ],
    },
    completion: {
      id: 'chatcmpl-b1',
      object: 'chat.completion',
      created: 1731000003,
      model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', reasoning_content: null, content: TEXT, tool_calls: [] },
          logprobs: null,
          finish_reason: 'stop',
          stop_reason: null,
        },
      ],
      usage: {
        prompt_tokens: 35,
        total_tokens: 47,
        completion_tokens: 12,
        prompt_tokens_details: null,
      },
      prompt_logprobs: null,
    },
    chunks: [
      {
        id: 'chatcmpl-b1',
        object: 'chat.completion.chunk',
        created: 1731000003,
        model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content: '' },
            logprobs: null,
            finish_reason: null,
          },
        ],
      },
      ...PIECES.map((content) => ({
        id: 'chatcmpl-b1',
        object: 'chat.completion.chunk',
        created: 1731000003,
        model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
        choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
      })),
      {
        id: 'chatcmpl-b1',
        object: 'chat.completion.chunk',
        choices: [
          {
            index: 0,
            delta: { content: '' },
            logprobs: null,
            finish_reason: 'stop',
            stop_reason: null,
          },
        ],
      },
      // Only with stream_options.include_usage: a last chunk with no choices.
      {
        id: 'chatcmpl-b1',
        object: 'chat.completion.chunk',
        choices: [],
        usage: { prompt_tokens: 35, total_tokens: 47, completion_tokens: 12 },
      },
    ],
    streamUsage: true,
    text: TEXT,
    finish: 'stop',
    usage: { promptTokens: 35, completionTokens: 12 },
    error: {
      status: 404,
      body: '{"object":"error","message":"The model `qwen` does not exist.","type":"NotFoundError","param":null,"code":404}',
      message: 'The model `qwen` does not exist.',
    },
  },
  {
    name: 'SGLang',
    kind: 'sglang',
    models: {
      object: 'list',
      data: [
        {
          id: 'Qwen/Qwen2.5-Coder-7B-Instruct',
          object: 'model',
          created: 1731000004,
          owned_by: 'sglang',
          root: 'Qwen/Qwen2.5-Coder-7B-Instruct',
          max_model_len: 32768,
        },
      ],
    },
    completion: {
      id: '5d2b1c',
      object: 'chat.completion',
      created: 1731000004,
      model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: TEXT, reasoning_content: null, tool_calls: null },
          logprobs: null,
          finish_reason: 'stop',
          matched_stop: 151645,
        },
      ],
      usage: {
        prompt_tokens: 33,
        total_tokens: 45,
        completion_tokens: 12,
        prompt_tokens_details: null,
      },
    },
    chunks: [
      ...PIECES.map((content) => ({
        id: '5d2b1c',
        object: 'chat.completion.chunk',
        created: 1731000004,
        model: 'Qwen/Qwen2.5-Coder-7B-Instruct',
        choices: [
          {
            index: 0,
            delta: { role: null, content, reasoning_content: null, tool_calls: null },
            logprobs: null,
            finish_reason: null,
            matched_stop: null,
          },
        ],
        usage: null,
      })),
      {
        id: '5d2b1c',
        object: 'chat.completion.chunk',
        choices: [
          {
            index: 0,
            delta: { role: null, content: null },
            logprobs: null,
            finish_reason: 'stop',
            matched_stop: 151645,
          },
        ],
        usage: null,
      },
      {
        id: '5d2b1c',
        object: 'chat.completion.chunk',
        choices: [],
        usage: { prompt_tokens: 33, total_tokens: 45, completion_tokens: 12 },
      },
    ],
    streamUsage: true,
    text: TEXT,
    finish: 'stop',
    usage: { promptTokens: 33, completionTokens: 12 },
    error: {
      status: 400,
      body: '{"object":"error","message":"Requested token count exceeds the model\'s maximum context length of 32768 tokens.","type":"BadRequestError","param":null,"code":400}',
      message: "Requested token count exceeds the model's maximum context length of 32768 tokens.",
    },
  },
];
