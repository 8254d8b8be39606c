/** arXiv ids in every form people paste; the versionless id is the cache key. */

const NEW_STYLE = /^(\d{4}\.\d{4,5})(?:v\d+)?$/;
const OLD_STYLE = /^([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?$/;

/** The versionless id in `s` when `s` is an id itself (`2410.17243v2`), else null. */
export function bareArxivId(s: string): string | null {
  const t = s.trim();
  const m = NEW_STYLE.exec(t) ?? OLD_STYLE.exec(t);
  return m ? m[1]! : null;
}

/**
 * The versionless arXiv id in any form people paste: `2410.17243v2`, `arXiv:2410.17243`,
 * `https://arxiv.org/abs/2410.17243`, `/pdf/…` (with or without `.pdf` and a version),
 * `https://huggingface.co/papers/2410.17243`, `https://hf.co/papers/…`,
 * `https://export.arxiv.org/abs/…`, `astro-ph/0601001`. Null when none is recognised.
 */
export function parseArxivId(input: string): string | null {
  let t = input.trim();
  t = t.replace(/^arxiv:\s*/i, '');
  const url = /^(?:(?:https?:\/\/)?(?:www\.|export\.)?(?:arxiv\.org|huggingface\.co|hf\.co))?\/(?:abs|pdf|html|papers)\/(.+?)(?:\.pdf)?(?:[?#].*)?\/?$/i.exec(t);
  if (url) t = url[1]!;
  return bareArxivId(t);
}

export function arxivAbsUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

export function arxivPdfUrl(id: string): string {
  return `https://arxiv.org/pdf/${id}`;
}

export function hfPaperUrl(id: string): string {
  return `https://huggingface.co/papers/${id}`;
}
