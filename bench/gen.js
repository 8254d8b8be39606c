/**
 * Benchmark data that looks like real listings, made fast and deterministically.
 *
 * The general words come from the real captures in fixtures/ (titles, abstracts, HF keywords,
 * arXiv summaries, the copied search page), ranked by how often they occur there and drawn with
 * a Zipf law over that ranking, as words in a corpus are; a long tail of made-up method, model
 * and dataset names follows. Each paper has a research topic (sometimes two) whose terms mix
 * into its title and abstract, so that a term's share of papers is like a real ML corpus's:
 * "language" in about a third, "diffusion" or "video" in under a tenth, "model" in most.
 * Author names are the fixtures' first and last names recombined. Lengths follow the
 * fixtures: titles of ~60 characters, abstracts of 700-2,000 characters, a long-tailed author
 * count (median 5, a few in the hundreds), HF keywords and AI summaries on most HF papers.
 *
 * The papers are spread over ~900 days. About 40 a day came from a Hugging Face daily list
 * (upvotes, comments, daily date, keywords), the rest from arXiv listings (categories, arXiv
 * comments), as a cache that has synced both sources for years would hold.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATOR_VERSION = 4;

const ROOT = new URL('..', import.meta.url).pathname;

/** mulberry32: a small, fast, seedable PRNG. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Research topics: a paper has one (sometimes two), and its topic's terms are what make its
 * abstract findable. [share of papers, usual arXiv categories, terms].
 */
const TOPICS = [
  [20, ['cs.CL', 'cs.AI', 'cs.LG'], 'language large LLM LLMs instruction tuning prompt prompting in-context chain-of-thought reasoning token tokens decoding pretraining fine-tuning alignment GPT-4 Llama Qwen'],
  [8, ['cs.CV', 'cs.LG'], 'diffusion denoising text-to-image image images generation latent sampling score-based guidance editing inpainting style personalization U-Net DiT'],
  [5, ['cs.CV'], 'video videos temporal frames motion text-to-video image-to-video generation tracking camera consistency'],
  [7, ['cs.CV', 'cs.CL'], 'vision-language multimodal visual VLM LLaVA CLIP caption captioning VQA grounding OCR document chart'],
  [5, ['cs.AI', 'cs.CL'], 'agent agents tool tools planning web browsing GUI environment function_calling multi-agent'],
  [5, ['cs.LG', 'cs.AI'], 'reinforcement reward policy RLHF DPO PPO GRPO preference value exploration verifier'],
  [4, ['cs.CV', 'cs.GR'], '3D NeRF gaussian splatting rendering scene reconstruction depth point_cloud mesh novel_view'],
  [4, ['cs.RO', 'cs.AI'], 'robot robotics manipulation navigation embodied control locomotion grasping sim-to-real'],
  [3, ['cs.SD', 'eess.AS'], 'speech audio music ASR TTS speaker acoustic voice sound'],
  [5, ['cs.LG', 'cs.DC'], 'quantization pruning distillation sparse MoE experts inference KV_cache speculative latency throughput GPU kernels memory'],
  [4, ['cs.CR', 'cs.CL'], 'safety jailbreak adversarial robustness privacy attack attacks defense harmful red-teaming watermark'],
  [2, ['cs.LG', 'cs.AI'], 'interpretability mechanistic neurons circuits probing steering features autoencoder'],
  [4, ['cs.SE', 'cs.CL'], 'math mathematical code coding program theorem proof software bugs repository'],
  [3, ['cs.LG', 'cs.SI'], 'graph graphs GNN node nodes edge molecular message_passing'],
  [3, ['cs.CV', 'q-bio.QM'], 'medical clinical patient biomedical radiology diagnosis protein drug molecule'],
  [5, ['cs.LG', 'stat.ML', 'math.OC'], 'optimization gradient convergence stochastic bounds regret convex generalization kernel'],
  [3, ['cs.IR', 'cs.CL'], 'retrieval RAG retrieval-augmented dense embedding embeddings search ranking query documents'],
  [2, ['cs.LG'], 'time_series forecasting temporal weather climate anomaly'],
  [4, ['cs.CV'], 'detection segmentation object semantic instance open-vocabulary bounding ViT backbone'],
  [2, ['cs.LG', 'cs.DC'], 'federated continual forgetting clients heterogeneous communication'],
  [4, ['cs.CL', 'cs.AI'], 'benchmark evaluation leaderboard judge human annotation metrics'],
  [4, ['cs.CL'], 'multilingual translation low-resource languages summarization dialogue sentiment text'],
  [2, ['cs.IR'], 'recommendation recommender user users items click-through collaborative'],
  [2, ['cs.LG', 'cs.CV'], 'GAN VAE flow_matching normalizing_flows autoregressive tokenizer codebook'],
].map(([share, categories, terms]) => ({ share, categories, terms: terms.split(' ').map((t) => t.replace(/_/g, ' ')), sentences: [] }));
const TOPIC_WORDS = new Set(TOPICS.flatMap((t) => t.terms.flatMap((x) => x.toLowerCase().split(' '))));

const ORGS = ['Google DeepMind', 'Meta AI', 'Microsoft Research', 'NVIDIA', 'Alibaba Qwen', 'ByteDance Seed', 'Tsinghua University', 'Stanford University', 'Hugging Face', 'Allen Institute for AI', 'Shanghai AI Laboratory', 'Apple', 'Mistral AI', 'DeepSeek', 'Carnegie Mellon University'];
const SYLLABLES = ['ra', 'ko', 'vi', 'tal', 'gen', 'mo', 'zen', 'lu', 'quan', 'tor', 'fi', 'nex', 'sa', 'dri', 'vox', 'pix', 'cal', 'mir', 'ba', 'lo', 'chi', 'tek', 'nova', 'xi', 'ora', 'del', 'phi', 'syn', 'ver', 'tau'];

/** Everything the generator draws from, built once from the fixtures. */
function loadCorpus() {
  const texts = [];
  const names = new Set();
  const keywords = [];
  const hf = JSON.parse(readFileSync(join(ROOT, 'fixtures/hf/api-daily-papers-2024-08-01.derived.json'), 'utf8'));
  const one = JSON.parse(readFileSync(join(ROOT, 'fixtures/hf/api-daily-papers-2026-03-06.one-item.json'), 'utf8'));
  for (const item of [...hf, ...one]) {
    texts.push(item.title ?? '', item.paper.summary ?? '', item.paper.ai_summary ?? '');
    for (const a of item.paper.authors) if (!a.hidden) names.add(a.name);
    for (const k of item.paper.ai_keywords ?? []) keywords.push(k);
  }
  for (const f of readdirSync(join(ROOT, 'fixtures/arxiv'))) {
    const xml = readFileSync(join(ROOT, 'fixtures/arxiv', f), 'utf8');
    for (const m of xml.matchAll(/<(summary|title)>([^<]*)</g)) texts.push(m[2]);
    for (const m of xml.matchAll(/<name>([^<]*)</g)) names.add(m[1].trim());
  }
  texts.push(readFileSync(join(ROOT, 'fixtures/hf/search-listing-2025-12-09.copied-text.excerpt.txt'), 'utf8'));

  const counts = new Map();
  for (const t of texts) for (const w of t.match(/[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z]/g) ?? []) {
    const k = w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  // The general vocabulary: the captures' words minus the topics' own terms.
  const ranked = [...counts].sort((a, b) => b[1] - a[1]).map(([w]) => w).filter((w) => !TOPIC_WORDS.has(w.toLowerCase()));
  const seen = new Set(ranked);
  // The long tail: made-up method, model and dataset names, as every abstract coins some.
  const r = rng(7);
  const common = ranked.length;
  while (ranked.length < common + 30_000) {
    let w = '';
    const n = 2 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    if (r() < 0.1) w = w[0].toUpperCase() + w.slice(1);
    if (r() < 0.05) w = w.toUpperCase().slice(0, 6) + '-' + (1 + Math.floor(r() * 70)) + (r() < 0.5 ? 'B' : '');
    if (!seen.has(w)) (seen.add(w), ranked.push(w));
  }
  const first = [];
  const last = [];
  for (const n of names) {
    const parts = n.split(/\s+/);
    if (parts.length < 2) continue;
    first.push(parts.slice(0, -1).join(' '));
    last.push(parts[parts.length - 1]);
  }
  return { words: ranked, common, first, last, keywords };
}

/** A table of word indices whose uniform draw is a Zipf(s) draw over ranks. */
function zipfTable(n, s, size, r) {
  const weights = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i] = 1 / Math.pow(i + 1.5, s);
  const table = new Uint32Array(size);
  let acc = 0;
  let j = 0;
  for (let i = 0; i < n && j < size; i++) {
    acc += weights[i] / sum;
    const upto = Math.min(size, Math.round(acc * size));
    for (; j < upto; j++) table[j] = i;
  }
  for (; j < size; j++) table[j] = Math.floor(r() * n);
  return table;
}

function titleCase(w) {
  return w.length > 3 && w === w.toLowerCase() ? w[0].toUpperCase() + w.slice(1) : w;
}

const iso = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * A generator of papers. `next()` returns one ParsedPaper (the store's input shape) and the
 * source it came from: 'hf' papers carry `dailyDate`, ranked within that day's list.
 */
export function paperGenerator({ seed = 1, startDate = '2023-09-01', perDay = 400 } = {}) {
  const corpus = loadCorpus();
  const r = rng(seed);
  const words = corpus.words;
  // 19 words in 20 from the general vocabulary, the rest from the long tail.
  const zipf = zipfTable(corpus.common, 1.0, 1 << 20, r);
  const tail = zipfTable(words.length - corpus.common, 0.9, 1 << 18, r);
  const word = () => (r() < 0.95 ? words[zipf[(r() * zipf.length) | 0]] : words[corpus.common + tail[(r() * tail.length) | 0]]);
  const topicTable = [];
  TOPICS.forEach((t, i) => { for (let k = 0; k < t.share; k++) topicTable.push(i); });
  const pickTopic = () => TOPICS[topicTable[(r() * topicTable.length) | 0]];
  const termOf = (t) => t.terms[Math.floor(Math.pow(r(), 1.6) * t.terms.length)];

  // Pools of sentences per topic to build abstracts from: string building is the slow part of
  // making millions of abstracts, and pooled sentences keep the words' distribution.
  for (const t of TOPICS) {
    t.sentences = [];
    for (let i = 0; i < 1500; i++) {
      const n = 10 + Math.floor(r() * 22);
      const parts = [];
      for (let k = 0; k < n; k++) parts.push(r() < 0.1 ? termOf(t) : word());
      if (r() < 0.3) parts.splice(Math.floor(r() * n), 0, parts.pop() + ',');
      const text = parts.join(' ');
      t.sentences.push(text[0].toUpperCase() + text.slice(1) + '.');
    }
  }
  const sentence = (t) => t.sentences[(r() * t.sentences.length) | 0];
  const leads = ['We propose', 'We introduce', 'This paper presents', 'We present', 'In this work, we study', 'We investigate', 'We show that'];
  const templates = [
    (a, b, c) => `${a}: ${b} for ${c}`,
    (a, b, c) => `${b} via ${c}`,
    (a, b) => `Towards ${b}`,
    (a, b, c) => `${a}: Scaling ${b} with ${c}`,
    (a, b, c) => `On the ${b} of ${c}`,
    (a, b, c) => `${b}: A Benchmark for ${c}`,
    (a, b, c) => `${b} Is All You Need for ${c}`,
    (a, b, c) => `Rethinking ${b} in ${c}`,
  ];
  const phrase = (t, n) => {
    const out = [];
    for (let i = 0, tries = 0; out.length < n && tries < 20; i++, tries++) {
      const w = titleCase(r() < 0.7 ? termOf(t) : word());
      if (!out.includes(w)) out.push(w);
    }
    return out.join(' ');
  };
  const authorCount = () => {
    const x = r();
    if (x < 0.03) return 1;
    if (x < 0.92) return 2 + Math.floor(-Math.log(1 - r()) * 5);
    if (x < 0.995) return 12 + Math.floor(r() * 30);
    return 50 + Math.floor(r() * 450);
  };
  const start = Date.parse(startDate + 'T00:00:00Z');
  // About 40 papers a day are on HF's list (at most every other paper of the day).
  const hfEvery = Math.max(2, Math.ceil(perDay / 45));
  let day = 0;
  const monthSeq = new Map();
  let count = 0;

  function next() {
    const hf = count % hfEvery === 0;
    const dateMs = start + day * 86_400_000;
    const published = iso(dateMs - Math.floor(r() * 4) * 86_400_000);
    const ym = published.slice(2, 4) + published.slice(5, 7);
    const seq = (monthSeq.get(ym) ?? 0) + 1;
    monthSeq.set(ym, seq);
    const id = `${ym}.${String(seq).padStart(5, '0')}`;

    const topic = pickTopic();
    const second = r() < 0.4 ? pickTopic() : topic;
    const coined = words[words.length - 1 - Math.floor(r() * 25_000)];
    const name = coined[0].toUpperCase() + coined.slice(1);
    const title = templates[Math.floor(r() * templates.length)](name, phrase(topic, 2 + Math.floor(r() * 3)), phrase(second, 2 + Math.floor(r() * 3)));
    const parts = [`${leads[Math.floor(r() * leads.length)]} ${name}, a ${phrase(topic, 3).toLowerCase()} for ${phrase(second, 2).toLowerCase()}.`];
    let len = parts[0].length;
    const target = 700 + Math.floor(r() * 1300);
    while (len < target) {
      const text = sentence(r() < 0.75 ? topic : second);
      parts.push(text);
      len += text.length + 1;
    }
    const summary = parts.join(' ');
    const n = authorCount();
    const authors = new Array(n);
    for (let i = 0; i < n; i++) authors[i] = corpus.first[(r() * corpus.first.length) | 0] + ' ' + corpus.last[(r() * corpus.last.length) | 0];

    const p = {
      id, title, summary, authors, authorCount: n, publishedAt: published, dailyDate: null,
      upvotes: null, comments: null, url: null,
      arxivUrl: `https://arxiv.org/abs/${id}`, pdfUrl: `https://arxiv.org/pdf/${id}`,
      githubRepo: null, projectPage: null, githubStars: null, keywords: [], aiSummary: null,
      organization: null, categories: [], sources: [hf ? 'hf' : 'arxiv'],
    };
    if (hf) {
      p.dailyDate = iso(dateMs);
      p.upvotes = Math.floor(Math.pow(r(), 3) * 120);
      p.comments = Math.floor(r() * 4);
      p.url = `https://huggingface.co/papers/${id}`;
      if (r() < 0.4) {
        p.githubRepo = `https://github.com/${corpus.last[(r() * corpus.last.length) | 0].toLowerCase()}/${name.toLowerCase()}`;
        p.githubStars = Math.floor(Math.pow(r(), 4) * 5000);
      }
      if (r() < 0.2) p.projectPage = `https://${name.toLowerCase()}.github.io`;
      if (r() < 0.7) {
        const k = 4 + Math.floor(r() * 10);
        for (let i = 0; i < k; i++) p.keywords.push(r() < 0.2 ? corpus.keywords[(r() * corpus.keywords.length) | 0] : phrase(r() < 0.7 ? topic : second, 1 + Math.floor(r() * 3)));
        p.aiSummary = `${name} ${sentence(topic).toLowerCase()}`;
      }
      if (r() < 0.3) p.organization = ORGS[(r() * ORGS.length) | 0];
    } else {
      const c = topic.categories.slice(0, 1 + Math.floor(r() * topic.categories.length));
      if (second !== topic && r() < 0.5 && !c.includes(second.categories[0])) c.push(second.categories[0]);
      p.categories = c;
      if (r() < 0.3) p.arxivComment = `${8 + Math.floor(r() * 30)} pages, ${1 + Math.floor(r() * 12)} figures`;
    }
    count++;
    if (count % perDay === 0) day++;
    return p;
  }
  return { next, corpus };
}

/** Split `n` generated papers into the HF daily lists (by date, ranked) and arXiv batches. */
export function* generateBatches(n, { seed = 1, batch = 5000, days = 900 } = {}) {
  const gen = paperGenerator({ seed, perDay: Math.max(1, Math.ceil(n / days)) });
  let arxiv = [];
  let hfDay = null;
  let hfList = [];
  for (let i = 0; i < n; i++) {
    const p = gen.next();
    if (p.dailyDate !== null) {
      if (hfDay !== null && p.dailyDate !== hfDay) {
        yield { kind: 'list', date: hfDay, papers: hfList };
        hfList = [];
      }
      hfDay = p.dailyDate;
      hfList.push(p);
    } else {
      arxiv.push(p);
      if (arxiv.length >= batch) {
        yield { kind: 'papers', papers: arxiv };
        arxiv = [];
      }
    }
  }
  if (hfList.length) yield { kind: 'list', date: hfDay, papers: hfList };
  if (arxiv.length) yield { kind: 'papers', papers: arxiv };
}
