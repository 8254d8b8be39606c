/**
 * Topics: named queries in the language of --query. The built-in set covers the areas people
 * follow; a user's topic in the config file replaces a built-in one of the same name.
 */
import type { Config } from './config.js';
import { UsageError } from './errors.js';
import { parseQuery, type QueryNode } from './query.js';
import { closest } from './text.js';

/*
 * How these are tuned. The index stems words (porter), and a query word is stemmed the same
 * way, so a word also finds its relatives: `reasoning` finds "reasons", `coding` would find
 * every "code is available", `optimizer` every "optimal", `physics` every "physical",
 * `explainable` every "explains" (these are left out, or narrowed to a phrase or the title).
 * A word that is also a common name (Adam, Lora, Moe, Vít, Gan) is searched in the title,
 * abstract and keywords only, or its topic would gather every paper one of them wrote. An arXiv
 * category (cat:) brings in arXiv papers of the area even when their words are unusual.
 */
export const BUILTIN_TOPICS: Readonly<Record<string, string>> = {
  llm: '"language model*" OR llm* OR gpt* OR chatgpt OR "instruction tuning" OR "instruction following" OR "in-context learning" OR "next-token prediction" OR llama* OR qwen* OR mistral OR mixtral OR gemma OR deepseek*',
  agents: 'agent OR agents OR agentic OR "tool use" OR "tool calling" OR "tool learning" OR "function calling" OR "web navigation" OR "computer use" OR "gui automation"',
  reasoning: 'reasoning OR "chain of thought" OR "test-time compute" OR "test-time scaling" OR "inference-time scaling" OR "theorem proving" OR "math word problem*" OR "step by step" OR "process reward" OR "self-consistency"',
  diffusion: 'diffusion OR "score-based" OR "flow matching" OR "rectified flow" OR "consistency model*" OR "text-to-image" OR "text-to-video" OR "image generation" OR "video generation" OR "image synthesis" OR "image editing" OR "generative adversarial" OR title:(gan OR gans) OR abstract:(gan OR gans) OR kw:(gan OR gans)',
  vision: '"computer vision" OR vision OR image OR images OR video OR "object detection" OR segmentation OR "vision transformer*" OR title:vit OR abstract:vit OR "depth estimation" OR "pose estimation" OR "optical flow" OR "image classification" OR "visual recognition" OR "3d reconstruction" OR "gaussian splatting" OR nerf OR cat:cs.CV',
  multimodal: 'multimodal OR "multi-modal" OR "cross-modal" OR "vision-language" OR vlm OR vlms OR mllm* OR lmm OR lmms OR "visual question answering" OR vqa OR "image-text" OR "image captioning" OR "audio-visual" OR "any-to-any"',
  video: 'title:video* OR "video generation" OR "video understanding" OR "video diffusion" OR "text-to-video" OR "video editing" OR "video-language" OR "video llm*" OR "long video" OR "video question answering"',
  '3d': '"3d reconstruction" OR "3d generation" OR "3d scene*" OR "3d-aware" OR "3d representation" OR "novel view synthesis" OR "gaussian splatting" OR 3dgs OR nerf OR "neural radiance" OR "point cloud*" OR "text-to-3d" OR "image-to-3d" OR avatar*',
  speech: '(speech -"hate speech") OR audio OR asr OR tts OR "text-to-speech" OR "speech recognition" OR "spoken language" OR music OR "sound generation" OR voice OR cat:eess.AS OR cat:cs.SD',
  rl: '"reinforcement learning" OR rlhf OR rlvr OR "policy optimization" OR ppo OR grpo OR dpo OR "direct preference" OR "reward model*" OR "policy gradient" OR "q-learning" OR "offline rl" OR "actor-critic" OR "markov decision" OR "multi-armed bandit*"',
  robotics: 'robot* OR "robotic manipulation" OR "dexterous manipulation" OR locomotion OR embodied OR humanoid OR "vision-language-action" OR vla OR "sim-to-real" OR grasping OR "motion planning" OR quadruped* OR "autonomous driving" OR cat:cs.RO',
  optimization: '"stochastic gradient" OR sgd OR "gradient descent" OR title:(adam OR adamw) OR abstract:(adam OR adamw) OR "learning rate" OR "second-order" OR "convex optimization" OR "non-convex" OR nonconvex OR "convergence rate*" OR "loss landscape" OR "training dynamics" OR "zeroth-order" OR "bilevel optimization" OR "muon optimizer" OR cat:math.OC',
  efficiency: 'quantization OR quantized OR pruning OR distillation OR "model compression" OR "efficient inference" OR "inference acceleration" OR "speculative decoding" OR "kv cache" OR sparsity OR "low-rank" OR "mixture of experts" OR title:(lora OR moe) OR abstract:(lora OR moe) OR kw:(lora OR moe) OR "flash attention" OR "linear attention" OR "sparse attention"',
  safety: 'safety OR jailbreak* OR "red teaming" OR harmful OR toxic OR toxicity OR "content moderation" OR "adversarial attack*" OR "prompt injection" OR backdoor* OR unlearning OR guardrail* OR "safety alignment" OR "value alignment" OR "ai alignment" OR "human values" OR misalignment OR deception OR "reward hacking"',
  interpretability: '"mechanistic interpretability" OR "model interpretability" OR title:(interpretability OR interpretable OR explainability OR explainable OR explanation*) OR "explainable ai" OR xai OR "sparse autoencoder*" OR "linear probe*" OR "circuit discovery" OR "feature attribution" OR saliency OR "steering vector*" OR "activation steering" OR "concept bottleneck"',
  code: '"code generation" OR "code completion" OR "code llm*" OR "code model*" OR "code review" OR "code repair" OR "program synthesis" OR "program repair" OR "software engineering" OR "swe-bench" OR "swe-agent" OR "repository-level" OR "competitive programming" OR "programming language*"',
  retrieval: 'retrieval OR rag OR "retrieval-augmented" OR reranking OR reranker* OR "search engine*" OR "text embedding*" OR "sentence embedding*" OR "embedding model*" OR "vector database*"',
  science: '"ai for science" OR "scientific discovery" OR protein* OR molecul* OR "drug discovery" OR genomic* OR "single-cell" OR "materials science" OR "materials discovery" OR chemistry OR chemical OR "weather forecasting" OR climate OR cat:q-bio OR cat:physics.chem-ph OR cat:physics.ao-ph OR cat:cond-mat.mtrl-sci',
  medical: 'medical OR clinical OR biomedical OR healthcare OR radiology OR pathology OR "electronic health" OR diagnosis OR patients',
  benchmarks: 'title:benchmark* OR title:bench OR title:evaluation OR title:leaderboard OR title:arena OR "we introduce a benchmark" OR "new benchmark" OR "evaluation suite"',
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
  if (!topic) {
    const near = closest(name, Object.keys(topics));
    throw new UsageError(`unknown topic '${name}'`, { hint: `${near ? `did you mean ${near}?; ` : ''}known topics: ${Object.keys(topics).sort().join(', ')}` });
  }
  return parseQuery(topic.query, `topic ${name}`);
}
