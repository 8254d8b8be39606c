/**
 * Reading arXiv's XML answers (OAI-PMH pages, announcement feeds) by the local names of their
 * elements, whatever namespace prefix a server writes them with.
 */
import type { AnyNode, Element } from 'domhandler';
import { loadCheerio } from '../../deps.js';
import { cleanText } from '../../text.js';

export const localName = (el: Element): string => el.name.replace(/^.*:/, '');

export function readXml(xml: string) {
  const { load } = loadCheerio();
  const $ = load(xml, { xml: true });
  const kids = (el: AnyNode, name: string): Element[] =>
    $(el).children().toArray().filter((c): c is Element => c.type === 'tag' && localName(c) === name);
  /** An element's text, whitespace collapsed. */
  const textOf = (el: AnyNode) => cleanText($(el).text());
  /** The text of the first child element called `name`, or null. */
  const text = (el: AnyNode, name: string) => {
    const k = kids(el, name)[0];
    return k ? textOf(k) : null;
  };
  /** The document's top-level elements. */
  const tops = (): Element[] => $.root().children().toArray().filter((el): el is Element => el.type === 'tag');
  return { kids, text, textOf, tops };
}
