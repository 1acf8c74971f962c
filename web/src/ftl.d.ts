// Fluent catalogs are bundled as text (esbuild's `text` loader).
declare module "*.ftl" {
  const text: string;
  export default text;
}
