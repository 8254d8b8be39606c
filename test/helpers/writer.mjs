// A child process that writes to a cache the way an import does: batches of papers, one
// transaction per batch. argv: <db> <batches> <batch size> <tag>. Used by the crash tests.
import { Store } from '../../dist/store/index.js';

const [db, batches, size, tag] = process.argv.slice(2);
const store = Store.open(db);
for (let b = 0; b < Number(batches); b++) {
  const papers = [];
  for (let i = 0; i < Number(size); i++) {
    const n = b * Number(size) + i;
    papers.push({
      id: `${tag}/${String(n).padStart(7, '0')}`, title: `Paper ${tag} ${n} on scaling laws for diffusion transformers`,
      summary: 'We study '.repeat(40) + n, authors: ['Ada Lovelace', 'Alan Turing', `Author ${n}`], authorCount: 3,
      publishedAt: '2026-01-01', dailyDate: null, upvotes: n % 50, comments: 0, url: null, arxivUrl: null, pdfUrl: null,
      githubRepo: null, projectPage: null, githubStars: null, keywords: ['diffusion'], aiSummary: null, organization: null,
      categories: ['cs.LG'], sources: ['import'],
    });
  }
  store.upsertPapers(papers);
  process.stdout.write(`batch ${b}\n`);
}
store.close();
