// One process of the soak's load phase: argv <db> writer|reader <tag> <until epoch ms>.
// A writer commits batches of 50 papers until the deadline and prints "committed <n>" after
// each; a reader runs a search and a list query in a loop and prints its latencies (ms) at the end.
import { writeSync } from 'node:fs';
import { Store } from '../../dist/store/index.js';

const [db, role, tag, until] = process.argv.slice(2);
const store = Store.open(db);
const deadline = Number(until);
let errors = 0;
if (role === 'writer') {
  let b = 0;
  while (Date.now() < deadline) {
    const papers = [];
    for (let i = 0; i < 50; i++) {
      const n = b * 50 + i;
      papers.push({ id: `${tag}/${String(n).padStart(7, '0')}`, title: `Load ${tag} ${n} scaling`, summary: 'load '.repeat(30) + n, authors: ['A B'], authorCount: 1,
        publishedAt: '2026-01-01', dailyDate: null, upvotes: n % 7, comments: 0, url: null, arxivUrl: null, pdfUrl: null, githubRepo: null, projectPage: null,
        githubStars: null, keywords: [], aiSummary: null, organization: null, categories: ['cs.LG'], sources: ['import'] });
    }
    try {
      store.upsertPapers(papers);
      b++;
      writeSync(1, `committed ${b}\n`);
    } catch (e) {
      errors++;
      writeSync(2, `${e.message}\n`);
    }
  }
} else {
  const lat = [];
  const h = store.handle;
  const search = h.prepare("SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'scaling' ORDER BY rank LIMIT 20");
  const list = h.prepare('SELECT id, title FROM papers ORDER BY upvotes DESC, rowid DESC LIMIT 30');
  let i = 0;
  while (Date.now() < deadline) {
    const t = performance.now();
    try {
      (i++ % 2 ? search : list).all();
      lat.push(performance.now() - t);
    } catch (e) {
      errors++;
      writeSync(2, `${e.message}\n`);
    }
  }
  writeSync(1, JSON.stringify(lat.map((x) => Math.round(x * 1000) / 1000)) + '\n');
}
store.close();
process.exitCode = errors ? 1 : 0;
