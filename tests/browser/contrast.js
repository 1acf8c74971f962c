// Every element with text of its own whose contrast with its background is
// below WCAG 2 level AA (4.5:1, or 3:1 for large text), at most 20 of
// them: its tag, classes, text and ratio. The background is the first
// ancestor's that is mostly opaque, else the canvas's; the opacity of the
// element and its ancestors is blended in. Run by contrast.rs through
// WebDriver (a script's body: it ends with `return`).

/** "rgb(…)" or "rgba(…)" as numbers; null for anything else. */
const parse = (color) => {
  const match = color.match(/rgba?\(([^)]+)\)/);
  if (!match) return null;
  const [r, g, b, a] = match[1].split(",").map(Number);
  return { r, g, b, a: a ?? 1 };
};

/** WCAG 2's relative luminance. */
const luminance = ({ r, g, b }) => {
  const linear = (value) => {
    const v = value / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
};

// With no background of its own, the page shows the canvas: light or dark
// as the colour scheme is (CSS's Canvas system colour).
const probe = document.createElement("div");
probe.style.backgroundColor = "Canvas";
document.body.append(probe);
const canvas = parse(getComputedStyle(probe).backgroundColor);
probe.remove();

const background = (element) => {
  for (let e = element; e; e = e.parentElement) {
    const color = parse(getComputedStyle(e).backgroundColor);
    if (color && color.a > 0.5) return color;
  }
  return canvas;
};

const opacity = (element) => {
  let product = 1;
  for (let e = element; e; e = e.parentElement) product *= Number(getComputedStyle(e).opacity);
  return product;
};

const faults = [];
for (const element of document.querySelectorAll("body *")) {
  const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== "");
  if (!ownText || element.closest("svg, canvas") || element.getClientRects().length === 0) continue;
  const style = getComputedStyle(element);
  const text = parse(style.color);
  if (style.visibility === "hidden" || !text) continue;
  const behind = background(element);
  const alpha = opacity(element) * text.a;
  const seen = {
    r: text.r * alpha + behind.r * (1 - alpha),
    g: text.g * alpha + behind.g * (1 - alpha),
    b: text.b * alpha + behind.b * (1 - alpha),
  };
  const [lighter, darker] = [luminance(seen), luminance(behind)].sort((x, y) => y - x);
  const ratio = (lighter + 0.05) / (darker + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    faults.push(`${element.tagName}.${element.className} "${element.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
}
return faults.slice(0, 20);
