// A child process that writes to a cache the way an import does: batches of papers, one
// transaction per batch, and a line on stdout after each commit ("batch <n>").
// argv: <db> <batches|forever> <batch size> <tag> [<pause batch> <pause row>]
// With "forever" it writes until it is killed, so a kill sent after a progress line lands in
// the middle of the work whatever the machine's speed. With a pause, batch <pause batch> stops
// inside its open transaction after <pause row> rows, prints "paused <n>", and waits on stdin:
// a kill then lands inside an unfinished write transaction by construction.
import { readSync, writeSync } from 'node:fs';
import { Store } from '../../dist/store/index.js';
import { emptyPaper } from '../../dist/record.js';

const [db, batches, size, tag, pauseBatch, pauseRow] = process.argv.slice(2);
const SIZE = Number(size);
const forever = batches === 'forever';
const store = Store.open(db);

function paper(n) {
  return {
    ...emptyPaper(`Paper ${tag} ${n} on scaling laws for diffusion transformers`, 'import'),
    id: `${tag}/${String(n).padStart(7, '0')}`, summary: 'We study '.repeat(40) + n, authors: ['Ada Lovelace', 'Alan Turing', `Author ${n}`],
    authorCount: 3, publishedAt: '2026-01-01', upvotes: n % 50, comments: 0, keywords: ['diffusion'], categories: ['cs.LG'],
  };
}

for (let b = 0; forever || b < Number(batches); b++) {
  const papers = [];
  for (let i = 0; i < SIZE; i++) papers.push(paper(b * SIZE + i));
  if (pauseBatch !== undefined && b === Number(pauseBatch)) {
    const cut = Number(pauseRow);
    store.transaction(() => {
      store.upsertPapers(papers.slice(0, cut));
      writeSync(1, `paused ${b}\n`);
      // Blocks until the parent kills us; if the parent goes away instead, roll back and stop.
      if (readSync(0, Buffer.alloc(1)) === 0) throw new Error('parent went away while paused');
      store.upsertPapers(papers.slice(cut));
    });
  } else {
    store.upsertPapers(papers);
  }
  writeSync(1, `batch ${b}\n`);
}
store.close();
