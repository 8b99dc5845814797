import { render } from "preact";
import { App } from "./App";
import { searchVariables } from "./filters";
import { SearchDocument, ThemeTreeDocument } from "./gql/graphql";
import { asLang } from "./i18n";
import { prefetch } from "./query";
import { interceptLinks } from "./router";
import "./styles.css";

// the search view's queries leave before the first render, which they would otherwise wait for
if (window.location.pathname === "/search") {
  const params = new URLSearchParams(window.location.search);
  const lang = asLang(params.get("lang"));
  prefetch(SearchDocument, searchVariables(params, lang));
  prefetch(ThemeTreeDocument, { lang });
}

const root = document.getElementById("app")!;
interceptLinks(document.body);
render(<App />, root);
