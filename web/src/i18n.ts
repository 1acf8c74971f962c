// The page's languages: English and French, every text from the Fluent
// catalogs in ../locales (bundled as text).
//
// Lifecycle: the language is chosen from the browser's (navigator.languages)
// until the reader picks one. `setLanguage` swaps the bundle, redraws every
// element marked `data-l10n` and calls each part of the page that drew text
// of its own (`onLanguageChange`), so nothing stays in the old language.
//
// A test (tests/cli/web_locales.rs) checks both catalogs against the
// sources: every id asked for by t() or a data-l10n attribute exists, and
// every message is used. It finds ids written whole in the code; a module
// that builds an id at run time lists those ids, separated by spaces, on a
// line comment that starts with "l10n-ids" and a colon.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import en from "../locales/en.ftl";
import fr from "../locales/fr.ftl";

export type Lang = "en" | "fr";
const CATALOGS: Record<Lang, string> = { en, fr };

/** The language of the browser, if it is one of ours; English otherwise. */
function browserLang(): Lang {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "fr" || primary === "en") return primary;
  }
  return "en";
}

let current: Lang = browserLang();
let bundle = makeBundle(current);
/** What redraws itself on a switch, in the order it registered. */
const redraws: Array<() => void> = [];

function makeBundle(of: Lang): FluentBundle {
  const made = new FluentBundle(of, { useIsolating: false });
  made.addResource(new FluentResource(CATALOGS[of]));
  return made;
}

/** The page's language now. */
export function language(): Lang {
  return current;
}

/** The text of `id`; the id itself only if a catalog lacks it (a test catches that). */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  const message = bundle.getMessage(id);
  return message?.value ? bundle.formatPattern(message.value, args) : id;
}

/** Registers `redraw`, called after every language switch. */
export function onLanguageChange(redraw: () => void): void {
  redraws.push(redraw);
}

/** Redraws every static text, then every part that registered. */
export function translatePage(): void {
  document.documentElement.lang = current;
  document.title = t("page-title");
  for (const element of document.querySelectorAll<HTMLElement>("[data-l10n]")) {
    element.textContent = t(element.dataset.l10n ?? "");
  }
  for (const element of document.querySelectorAll<HTMLElement>("[data-l10n-placeholder]")) {
    element.setAttribute("placeholder", t(element.dataset.l10nPlaceholder ?? ""));
  }
  for (const redraw of redraws) redraw();
}

export function setLanguage(to: Lang): void {
  current = to;
  bundle = makeBundle(to);
  translatePage();
}
