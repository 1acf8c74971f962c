// The page: a live rate board (StreamRates) and a converter (Convert), both
// over gRPC-Web from the browser, and the four gRPC models drawn live from
// real calls, in English or French.
//
// Each part lives in its own module and sets itself up here; the modules
// share the language (i18n.ts), the clients (rpc.ts) and nothing else.
import { setUpBoard } from "./board.js";
import { setUpConverter } from "./convert.js";
import { $ } from "./dom.js";
import { language, setLanguage, translatePage } from "./i18n.js";
import { setUpModels } from "./models.js";

setUpBoard();
setUpConverter();
setUpModels();

const picker = $<HTMLSelectElement>("language");
picker.value = language();
picker.addEventListener("change", () => setLanguage(picker.value === "fr" ? "fr" : "en"));

translatePage();
