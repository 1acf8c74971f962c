// Small DOM helpers shared by the page's parts.

/** The element with this id (the page's HTML declares every one used). */
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A new element with a class and a text, the two things the page sets most. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  if (className !== "") made.className = className;
  if (text !== "") made.textContent = text;
  return made;
}
