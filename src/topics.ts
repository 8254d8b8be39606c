/**
 * Topics: named queries in the language of --query. The built-in set covers the areas people
 * follow; a user's topic in the config file replaces a built-in one of the same name.
 */
import type { Config } from './config.js';
import { UsageError } from './errors.js';
import { parseQuery, type QueryNode } from './query.js';

export const BUILTIN_TOPICS: Readonly<Record<string, string>> = {
  llm: '"language model" OR "language models" OR llm* OR "large language" OR gpt* OR "instruction tuning" OR "in-context learning" OR "pretraining" OR "pre-training"',
  agents: 'agent OR agents OR agentic OR "tool use" OR "tool calling" OR "function calling" OR "web navigation" OR "computer use" OR "multi-agent"',
  reasoning: 'reasoning OR "chain of thought" OR "chain-of-thought" OR cot OR "test-time compute" OR "test-time scaling" OR "mathematical reasoning" OR "theorem proving" OR "step-by-step"',
  diffusion: 'diffusion OR "score-based" OR "flow matching" OR "rectified flow" OR "text-to-image" OR "text-to-video" OR "image generation" OR "video generation" OR "generative model*"',
  vision: 'vision OR visual OR image OR "object detection" OR segmentation OR "vision transformer" OR vit OR "3d reconstruction" OR "gaussian splatting" OR nerf OR depth',
  multimodal: 'multimodal OR "multi-modal" OR "vision-language" OR "vision language" OR vlm OR vlms OR mllm* OR lmm OR "visual question answering" OR "image-text"',
  speech: 'speech OR audio OR asr OR tts OR "text-to-speech" OR "speech recognition" OR "spoken language" OR music OR "sound generation" OR voice',
  rl: '"reinforcement learning" OR rlhf OR "policy optimization" OR ppo OR grpo OR dpo OR "reward model*" OR "policy gradient" OR "q-learning" OR "offline rl"',
  robotics: 'robot* OR manipulation OR locomotion OR "embodied" OR humanoid OR "vision-language-action" OR vla OR "sim-to-real" OR grasping OR navigation',
  optimization: 'optimizer* OR "stochastic gradient" OR sgd OR adam OR adamw OR convergence OR "learning rate" OR "second-order" OR "convex optimization" OR "coordinate descent"',
  efficiency: 'quantization OR quantized OR pruning OR distillation OR "efficient inference" OR "speculative decoding" OR "kv cache" OR sparsity OR "low-rank" OR lora OR "mixture of experts" OR moe',
  safety: 'safety OR alignment OR jailbreak* OR "red teaming" OR "red-teaming" OR harmful OR toxicity OR "content moderation" OR interpretability OR hallucination*',
  code: '"code generation" OR coding OR "program synthesis" OR "software engineering" OR swe OR "code llm*" OR "code model*"',
  retrieval: 'retrieval OR rag OR "retrieval-augmented" OR "dense retrieval" OR reranking OR "search engine" OR embedding*',
  benchmarks: 'title:benchmark* OR title:evaluation OR title:leaderboard OR "we introduce a benchmark" OR "new benchmark"',
};

/** Every topic: the built-ins, with the user's (same name replaces) on top. */
export function allTopics(config: Config): Record<string, { query: string; builtin: boolean; overridden: boolean }> {
  const out: Record<string, { query: string; builtin: boolean; overridden: boolean }> = {};
  for (const [name, query] of Object.entries(BUILTIN_TOPICS)) out[name] = { query, builtin: true, overridden: false };
  for (const [name, query] of Object.entries(config.topics)) out[name] = { query, builtin: false, overridden: Object.hasOwn(BUILTIN_TOPICS, name) };
  return out;
}

/** The parsed query of a named topic; an unknown name is a usage error that lists the known ones. */
export function topicQuery(name: string, config: Config): QueryNode {
  const topics = allTopics(config);
  const topic = Object.hasOwn(topics, name) ? topics[name] : undefined;
  if (!topic) throw new UsageError(`unknown topic '${name}'`, { hint: `known topics: ${Object.keys(topics).sort().join(', ')}` });
  return parseQuery(topic.query, `topic ${name}`);
}
