/** A page's or an item's HTML as one line of text (html-to-text; images and link targets dropped), bounded. */
import { convert } from "html-to-text";

export const htmlText = (html: string, max: number): string =>
  convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
    ],
  })
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, max);
