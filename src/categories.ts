/**
 * arXiv's category taxonomy (https://arxiv.org/category_taxonomy): the one place that knows
 * which categories exist. Names are case-sensitive on arXiv (`cs.LG`, not `cs.lg`), so a
 * category is checked here before any request, with a suggestion for a near miss.
 */
import { UsageError } from './errors.js';
import { closest } from './text.js';

const GROUPS: Record<string, string[]> = {
  cs: ['AI', 'AR', 'CC', 'CE', 'CG', 'CL', 'CR', 'CV', 'CY', 'DB', 'DC', 'DL', 'DM', 'DS', 'ET', 'FL', 'GL', 'GR', 'GT', 'HC', 'IR', 'IT', 'LG', 'LO', 'MA', 'MM', 'MS', 'NA', 'NE', 'NI', 'OH', 'OS', 'PF', 'PL', 'RO', 'SC', 'SD', 'SE', 'SI', 'SY'],
  econ: ['EM', 'GN', 'TH'],
  eess: ['AS', 'IV', 'SP', 'SY'],
  math: ['AC', 'AG', 'AP', 'AT', 'CA', 'CO', 'CT', 'CV', 'DG', 'DS', 'FA', 'GM', 'GN', 'GR', 'GT', 'HO', 'IT', 'KT', 'LO', 'MG', 'MP', 'NA', 'NT', 'OA', 'OC', 'PR', 'QA', 'RA', 'RT', 'SG', 'SP', 'ST'],
  'astro-ph': ['CO', 'EP', 'GA', 'HE', 'IM', 'SR'],
  'cond-mat': ['dis-nn', 'mes-hall', 'mtrl-sci', 'other', 'quant-gas', 'soft', 'stat-mech', 'str-el', 'supr-con'],
  nlin: ['AO', 'CD', 'CG', 'PS', 'SI'],
  physics: ['acc-ph', 'ao-ph', 'app-ph', 'atm-clus', 'atom-ph', 'bio-ph', 'chem-ph', 'class-ph', 'comp-ph', 'data-an', 'ed-ph', 'flu-dyn', 'gen-ph', 'geo-ph', 'hist-ph', 'ins-det', 'med-ph', 'optics', 'plasm-ph', 'pop-ph', 'soc-ph', 'space-ph'],
  'q-bio': ['BM', 'CB', 'GN', 'MN', 'NC', 'OT', 'PE', 'QM', 'SC', 'TO'],
  'q-fin': ['CP', 'EC', 'GN', 'MF', 'PM', 'PR', 'RM', 'ST', 'TR'],
  stat: ['AP', 'CO', 'ME', 'ML', 'OT', 'TH'],
};

/** Archives that are categories themselves (no subject classes). */
const STANDALONE = ['astro-ph', 'cond-mat', 'gr-qc', 'hep-ex', 'hep-lat', 'hep-ph', 'hep-th', 'math-ph', 'nucl-ex', 'nucl-th', 'quant-ph'];

export const ARXIV_CATEGORIES: readonly string[] = [
  ...STANDALONE,
  ...Object.entries(GROUPS).flatMap(([archive, classes]) => classes.map((c) => `${archive}.${c}`)),
];

const KNOWN = new Set(ARXIV_CATEGORIES);

/** Whether arXiv has this category, exactly as written. */
export function isArxivCategory(name: string): boolean {
  return KNOWN.has(name);
}

/** The category, or a usage error with the likely one (`cs.lg` → `cs.LG`). `what` names the option. */
export function checkCategory(name: string, what = '--category'): string {
  if (KNOWN.has(name)) return name;
  const near = closest(name, ARXIV_CATEGORIES);
  throw new UsageError(`${what}: '${name}' is not an arXiv category`, {
    hint: near ? `did you mean ${near}? (names are case-sensitive)` : 'e.g. cs.LG, math.GT, astro-ph; see arxiv.org/category_taxonomy',
  });
}
