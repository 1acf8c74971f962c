// The page: a live rate board (StreamRates) with a chart per pair
// (GetRateHistory, then the board's feed), a converter (Convert), both
// over gRPC-Web from the browser, and the four gRPC models drawn live from
// real calls, in English or French.
//
// Each part lives in its own module and sets itself up here; the modules
// share the language (i18n.ts) and the clients (rpc.ts); the charts also
// follow the board's feed (board.ts: beforeWatch, onUpdate).
import { setUpBoard } from "./board.js";
import { setUpCharts } from "./charts.js";
import { setUpConverter } from "./convert.js";
import { $ } from "./dom.js";
import { language, setLanguage, translatePage } from "./i18n.js";
import { setToken } from "./rpc.js";
import { setUpModels } from "./models.js";

setUpBoard();
setUpCharts();
setUpConverter();
setUpModels();

const token = $<HTMLInputElement>("token");
token.addEventListener("input", () => setToken(token.value));
setToken(token.value); // a value the browser restored

const picker = $<HTMLSelectElement>("language");
picker.value = language();
picker.addEventListener("change", () => setLanguage(picker.value === "fr" ? "fr" : "en"));

translatePage();
